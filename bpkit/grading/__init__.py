"""The grader behind ``bpkit grade`` and ``bpkit autograder``.

Parts, in the order a submission meets them:
- ``cli``: finds submissions, runs jobs in parallel, stops cleanly on Ctrl-C;
- ``plan``: reads each submission safely, decides what it is graded as and whether it must be
  (bytes, exercise, variant, limits), and sets aside the records of deleted files;
- ``identity``: which exercise a notebook is (metadata, file name, content), what it was
  handed in as, and whether its release is current;
- ``students``: who handed it in (roster, folder, LMS file name) and which notebook counts;
- ``exercise``: the trusted side: reference solution, grading cases, expected values;
- ``runner``: starts one sandboxed process per submission and enforces time limits from outside;
- ``_harness`` and ``sandbox``: the child: confines itself, runs the cells, then the cases;
- ``codec``: the only form in which results cross back (plain data, validated);
- ``lookup``: drivers and comparisons by name (``bpkit.check`` first, small built-ins else);
- ``report``: scores, ``NAME.results.json`` (Gradescope), ``NAME.feedback.md``, ``grades.csv``;
- ``gradebook``: every exercise's grades joined into one CSV for an LMS;
- ``autograder``: the Gradescope zip.
"""
