#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every screenshot the AppStream metainfo names exists in data/screenshots/,
is a PNG, and is referenced over https.

Usage: check-screenshots.py METAINFO_IN SCREENSHOTS_DIR
"""
import os
import sys
import xml.etree.ElementTree as ET

PNG_MAGIC = b'\x89PNG\r\n\x1a\n'


def main():
    metainfo, shots = sys.argv[1], sys.argv[2]
    problems = []
    images = [e.text.strip() for e in ET.parse(metainfo).getroot().iter('image') if e.text]
    if not images:
        problems.append('no screenshots in the metainfo')
    for url in images:
        if not url.startswith('https://'):
            problems.append(f'{url}: not an https URL')
        marker = '/data/screenshots/'
        if marker not in url:
            problems.append(f'{url}: does not point into data/screenshots/')
            continue
        name = url.split(marker, 1)[1]
        path = os.path.join(shots, name)
        if not os.path.isfile(path):
            problems.append(f'{url}: data/screenshots/{name} does not exist')
            continue
        with open(path, 'rb') as f:
            if f.read(8) != PNG_MAGIC:
                problems.append(f'data/screenshots/{name}: not a PNG file')
    for p in problems:
        print(p, file=sys.stderr)
    if not problems:
        print(f'{len(images)} screenshots present')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
