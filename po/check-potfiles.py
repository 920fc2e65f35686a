#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fails when po/POTFILES.in is out of step with the sources.

Every file under src/ and ui/ that marks a string for translation
(_( N_( C_( NC_( g_dgettext ngettext translatable="yes") must be listed,
and every listed file must exist (xgettext stops at a missing one).
Also checks that the data/ files with translatable text are listed.

With --xgettext, also extracts the strings into a temporary .pot, as
`ninja consilium-pot` does, and fails if xgettext fails.

With --translations, also checks every language in po/LINGUAS: its .po
compiles with `msgfmt --check` (format strings match, plural forms valid)
and translates every current string (`msgcmp`, fuzzy entries count as
missing). Update a language with `ninja -C BUILD consilium-update-po`.

Usage: check-potfiles.py [--xgettext] [--translations] SOURCE_ROOT
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

C_MARK = re.compile(r'(?<![A-Za-z0-9_])(?:N?C?_|g_dgettext|g_dngettext|ngettext|g_dpgettext2?)\s*\(')
UI_MARK = re.compile(r'translatable\s*=\s*["\'](?:yes|true|1)["\']', re.IGNORECASE)
DATA_FILES = (
    'data/io.github.consilium.Consilium.desktop.in.in',
    'data/io.github.consilium.Consilium.metainfo.xml.in.in',
    'data/io.github.consilium.Consilium.gschema.xml',
)


def strip_c_comments(text):
    # drop /* */ and // comments, keep string literals
    return re.sub(r'/\*.*?\*/|//[^\n]*', '', text, flags=re.S)


def marks_strings(path):
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            text = f.read()
    except OSError:
        return False
    if path.endswith(('.c', '.h')):
        return bool(C_MARK.search(strip_c_comments(text)))
    if path.endswith(('.ui', '.xml')):
        return bool(UI_MARK.search(text))
    return False


def check_translations(root, pot):
    problems = []
    linguas = os.path.join(root, 'po', 'LINGUAS')
    langs = []
    if os.path.isfile(linguas):
        with open(linguas, encoding='utf-8') as f:
            for line in f:
                line = line.split('#', 1)[0]
                langs += line.split()
    if not langs:
        return ['po/LINGUAS lists no language']
    for lang in langs:
        po = os.path.join(root, 'po', lang + '.po')
        if not os.path.isfile(po):
            problems.append(f'po/{lang}.po: listed in po/LINGUAS but missing')
            continue
        result = subprocess.run(['msgfmt', '--check', '--statistics', '-o', os.devnull, po],
                                capture_output=True, text=True)
        sys.stderr.write(result.stderr)
        if result.returncode != 0:
            problems.append(f'po/{lang}.po: msgfmt --check failed')
            continue
        result = subprocess.run(['msgcmp', po, pot], capture_output=True, text=True)
        if result.returncode != 0:
            sys.stderr.write(result.stderr)
            missing = result.stderr.count('this message is untranslated') + \
                result.stderr.count('this message is used but not defined')
            problems.append(f'po/{lang}.po: incomplete, {missing} current strings are not translated')
    return problems


def run_xgettext(root, translations=False):
    xgettext = shutil.which('xgettext')
    if xgettext is None:
        return ['xgettext not found (install gettext)']
    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, 'consilium.pot')
        cmd = [xgettext, '--package-name=consilium', '--from-code=UTF-8',
               '--add-comments', '-D', root, '-o', pot,
               '--files-from=' + os.path.join(root, 'po', 'POTFILES.in'),
               '--keyword=_', '--keyword=N_', '--keyword=C_:1c,2',
               '--keyword=NC_:1c,2', '--keyword=g_dngettext:2,3',
               '--keyword=g_dpgettext2:2c,3']
        result = subprocess.run(cmd, capture_output=True, text=True)
        sys.stderr.write(result.stderr)
        if result.returncode != 0:
            return [f'xgettext failed with status {result.returncode}']
        with open(pot, encoding='utf-8') as f:
            count = f.read().count('\nmsgid ') - 1
        print(f'xgettext: {count} strings')
        if translations:
            return check_translations(root, pot)
    return []


def main():
    args = sys.argv[1:]
    translations = '--translations' in args
    xgettext = '--xgettext' in args or translations
    args = [a for a in args if a not in ('--xgettext', '--translations')]
    root = args[0] if args else os.path.join(os.path.dirname(__file__), '..')
    root = os.path.abspath(root)
    potfiles = os.path.join(root, 'po', 'POTFILES.in')

    listed = []
    with open(potfiles, encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith('#'):
                listed.append(line)

    problems = []
    seen = set()
    for entry in listed:
        if entry in seen:
            problems.append(f'{entry}: listed twice in po/POTFILES.in')
        seen.add(entry)
        if not os.path.isfile(os.path.join(root, entry)):
            problems.append(f'{entry}: listed in po/POTFILES.in but does not exist')

    for top in ('src', 'ui'):
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames.sort()
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                if rel not in seen and marks_strings(path):
                    problems.append(f'{rel}: has translatable strings but is missing from po/POTFILES.in')

    for rel in DATA_FILES:
        if os.path.isfile(os.path.join(root, rel)) and rel not in seen:
            problems.append(f'{rel}: has translatable text but is missing from po/POTFILES.in')

    if xgettext and not problems:
        problems += run_xgettext(root, translations)

    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        return 1
    print(f'po/POTFILES.in: {len(listed)} files, complete')
    return 0


if __name__ == '__main__':
    sys.exit(main())
