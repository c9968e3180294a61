"""The course as a static website: ``bpkit site --out DIR``.

Sphinx with myst-nb and sphinx-book-theme turns every lesson, with the outputs stored in
it (nothing runs at build time), into a page with its math, its pictures and its widgets;
``build`` writes the pages, ``ext`` is the Sphinx extension that gives images their alt
text and the explorers their static frames, ``assets`` brings the JavaScript the pages
load (from npm, served from the site itself). Install the extra: ``pip install -e ".[site]"``.
"""
