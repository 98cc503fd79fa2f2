#!/usr/bin/env python
"""Copy the collection where ansible-test accepts it.

ansible-test resolves symlinks and refuses a collection that does not sit
physically under ansible_collections/<namespace>/<name>, and it only sees
dependencies placed beside it, so amazon.aws is copied in from the ansible wheel.
A copy, not a link: antsibull-docs copies dependencies with git when their real
path is inside a git work tree (the venv is, in a checkout), which copies nothing.
"""

import argparse
import os
import shutil

import ansible_collections.amazon.aws as amazon_aws

SKIPPED = {".git", ".venv", ".build", ".ansible", ".pytest_cache", "__pycache__", "output"}


def _ignore(directory, names):
    return [name for name in names if name in SKIPPED or name.endswith(".tar.gz")]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", required=True, help="the collection root (this repository)")
    parser.add_argument("--root", required=True, help="the ansible_collections directory to stage into")
    args = parser.parse_args()

    target = os.path.join(args.root, "aurora", "global_db")
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(args.source, target, ignore=_ignore, symlinks=True)

    amazon_target = os.path.join(args.root, "amazon", "aws")
    if os.path.islink(amazon_target):
        os.remove(amazon_target)
    shutil.rmtree(amazon_target, ignore_errors=True)
    shutil.copytree(list(amazon_aws.__path__)[0], amazon_target, ignore=_ignore)
    print(f"staged {args.source} at {target}")


if __name__ == "__main__":
    main()
