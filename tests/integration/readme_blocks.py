# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Code blocks of README.md (and of other docs), so that tests run what they say and break when they drift."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_block(heading, language, document=README):
    """The first ```language block under the heading (a whole line such as '## Install the collection') of the README,
    or of another Markdown ``document``."""
    section = document.read_text(encoding="utf-8").split("\n" + heading + "\n", 1)[1]
    return re.search(r"```%s\n(.*?)```" % language, section, re.S).group(1)
