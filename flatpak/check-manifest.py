#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the Flatpak manifest offline (the runtime cannot be downloaded here).

- it parses as JSON and names the app id, runtime, SDK and command;
- the finish-args are exactly the documented least-privilege set
  (flatpak/README.md): no file system access, no secret-service hole,
  no full session or system bus;
- every module's sources are pinned: archives and files by sha256, git by
  commit; a "dir" source must stay inside this repository (it is the app);
- Graphviz is a module before the app, from an official release tarball
  pinned by its sha256, and the app is built with -Dgraphviz=enabled, so
  the Flatpak draws blueprint diagrams as a host install does;
- the demo provider (libexec/consilium-test-provider, which the welcome
  page starts) is not cleaned up.

Usage: check-manifest.py MANIFEST APP_ID
"""
import fnmatch
import json
import os
import sys

EXPECTED_FINISH_ARGS = {
    '--share=network',       # the providers' HTTPS APIs and local servers
    '--share=ipc',           # X11 shared memory, with fallback-x11
    '--socket=wayland',
    '--socket=fallback-x11',
    '--device=dri',          # GPU rendering (GSK)
}

# Graphviz's release downloads (https://graphviz.org/download/source/)
GRAPHVIZ_RELEASES = 'https://gitlab.com/api/v4/projects/4207231/packages/generic/graphviz-releases/'

DEMO_PROVIDER = '/libexec/consilium-test-provider'

FORBIDDEN_PREFIXES = (
    '--filesystem',          # files go through the file chooser portal
    '--talk-name=org.freedesktop.secrets',  # libsecret uses the Secret portal
    '--socket=session-bus',
    '--socket=system-bus',
    '--socket=x11',
    '--device=all',
    '--share=host',
)


def is_sha256(value):
    return isinstance(value, str) and len(value) == 64 and all(c in '0123456789abcdef' for c in value)


def check_sources(module, manifest_dir, problems, where):
    for i, source in enumerate(module.get('sources', [])):
        here = f'{where}: source {i}'
        if isinstance(source, str):
            problems.append(f'{here}: external source file "{source}" cannot be checked; inline it')
            continue
        if not isinstance(source, dict):
            problems.append(f'{here}: not an object')
            continue
        kind = source.get('type')
        if kind in ('archive', 'file'):
            sha = source.get('sha256', '')
            if not is_sha256(sha):
                problems.append(f'{here}: {kind} without a sha256 checksum')
            url = source.get('url', '')
            if url and not url.startswith('https://'):
                problems.append(f'{here}: {url} is not https')
        elif kind == 'git':
            commit = source.get('commit', '')
            if not (isinstance(commit, str) and len(commit) == 40):
                problems.append(f'{here}: git source without a full commit hash')
        elif kind == 'dir':
            path = source.get('path', '')
            full = os.path.realpath(os.path.join(manifest_dir, path))
            repo = os.path.realpath(os.path.join(manifest_dir, '..'))
            if os.path.isabs(path) or not (full == repo or full.startswith(repo + os.sep)):
                problems.append(f'{here}: dir source "{path}" is outside the repository')
        elif kind in ('patch', 'script', 'shell'):
            if kind == 'patch' and 'path' not in source:
                problems.append(f'{here}: patch must be a local path')
        else:
            problems.append(f'{here}: source type "{kind}" is not pinned by a checksum or commit')


def check_graphviz(modules, problems):
    """A graphviz module, pinned to a release tarball, before the app."""
    names = [m.get('name') if isinstance(m, dict) else None for m in modules]
    if 'graphviz' not in names:
        problems.append('no graphviz module: the runtime has no libgvc, the app needs one to draw diagrams')
        return
    index = names.index('graphviz')
    if index >= len(modules) - 1:
        problems.append('the graphviz module must come before the app')
    sources = modules[index].get('sources', [])
    archives = [s for s in sources if isinstance(s, dict) and s.get('type') in ('archive', 'file')]
    if len(archives) != 1 or len(sources) != 1:
        problems.append('module graphviz: expected exactly one source, a release tarball')
        return
    url = archives[0].get('url', '')
    if not (isinstance(url, str) and url.startswith(GRAPHVIZ_RELEASES) and
            url.split('/')[-1].startswith('graphviz-') and url.endswith(('.tar.gz', '.tar.xz'))):
        problems.append(f'module graphviz: {url!r} is not a release tarball under {GRAPHVIZ_RELEASES}')
    if not is_sha256(archives[0].get('sha256')):
        problems.append('module graphviz: the tarball needs its sha256 (64 hex digits)')


def check_demo_kept(manifest, problems):
    """The welcome page starts the installed demo provider: keep it."""
    lists = [manifest.get('cleanup', [])]
    lists += [m.get('cleanup', []) for m in manifest.get('modules', []) if isinstance(m, dict)]
    for patterns in lists:
        for pattern in patterns:
            if fnmatch.fnmatch(DEMO_PROVIDER, pattern) or DEMO_PROVIDER.startswith(pattern.rstrip('/') + '/') \
               or (not pattern.startswith('/') and fnmatch.fnmatch(os.path.basename(DEMO_PROVIDER), pattern)):
                problems.append(f'cleanup pattern {pattern!r} removes {DEMO_PROVIDER}, the demo the app offers')


def walk_modules(modules, manifest_dir, problems, where='modules'):
    for i, module in enumerate(modules):
        if isinstance(module, str):
            problems.append(f'{where}[{i}]: external module file "{module}" cannot be checked; inline it')
            continue
        name = module.get('name', f'#{i}')
        here = f'module {name}'
        if not module.get('sources'):
            problems.append(f'{here}: no sources')
        check_sources(module, manifest_dir, problems, here)
        walk_modules(module.get('modules', []), manifest_dir, problems, f'{here}.modules')


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    path, app_id = sys.argv[1], sys.argv[2]
    problems = []

    try:
        with open(path, encoding='utf-8') as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        print(f'{path}: {e}', file=sys.stderr)
        return 1

    if not isinstance(manifest, dict):
        print(f'{path}: not a JSON object', file=sys.stderr)
        return 1

    found_id = manifest.get('id', manifest.get('app-id'))
    if found_id != app_id:
        problems.append(f'id is {found_id!r}, expected {app_id!r}')
    if manifest.get('runtime') != 'org.gnome.Platform':
        problems.append('runtime must be org.gnome.Platform')
    if manifest.get('sdk') != 'org.gnome.Sdk':
        problems.append('sdk must be org.gnome.Sdk')
    if not str(manifest.get('runtime-version', '')).isdigit():
        problems.append('runtime-version must be a stable GNOME release such as "49"')
    if manifest.get('command') != 'consilium':
        problems.append('command must be consilium')

    args = manifest.get('finish-args', [])
    for arg in args:
        if arg.startswith(FORBIDDEN_PREFIXES):
            problems.append(f'finish-args: {arg} is not allowed')
    if set(args) != EXPECTED_FINISH_ARGS or len(args) != len(set(args)):
        extra = sorted(set(args) - EXPECTED_FINISH_ARGS)
        missing = sorted(EXPECTED_FINISH_ARGS - set(args))
        problems.append(f'finish-args differ from the documented set: extra {extra}, missing {missing}')

    modules = manifest.get('modules', [])
    if not modules:
        problems.append('no modules')
    walk_modules(modules, os.path.dirname(os.path.abspath(path)), problems)

    last = modules[-1] if modules and isinstance(modules[-1], dict) else {}
    if last.get('buildsystem') != 'meson':
        problems.append('the last module (the app) must build with meson')
    if '-Dgraphviz=enabled' not in last.get('config-opts', []):
        problems.append('the app must be built with -Dgraphviz=enabled (with the graphviz module)')
    check_graphviz(modules, problems)
    check_demo_kept(manifest, problems)

    for p in problems:
        print(f'{path}: {p}', file=sys.stderr)
    if problems:
        return 1
    print(f'{path}: OK ({len(modules)} module(s), finish-args {sorted(args)})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
