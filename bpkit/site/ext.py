"""The site's Sphinx settings, and the extension that gives notebook images their alt text.

myst-nb takes an image output's ``width`` and ``height`` from its metadata but not its
``alt`` (only a whole cell's ``mystnb.image.alt``). The notebook convention nbconvert and
IPython's ``Image(alt=...)`` follow is the output's ``metadata["image/png"]["alt"]``, which
is what ``bpkit.plot`` writes; :func:`setup` makes myst-nb read it, so every picture
keeps its alt text on the page. An explorer's output is a widget view with a PNG
fallback: its alt text rides along as ``data-alt`` and the page's script puts it on the
widget's picture.
"""

from __future__ import annotations

import hashlib
import html
import json
from pathlib import Path
from typing import Any

from bpkit.site import assets

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
STATIC = Path(__file__).resolve().parent / "static"
TEMPLATES = Path(__file__).resolve().parent / "templates"


def settings(vendor: str) -> dict[str, Any]:
    """Return the Sphinx configuration of the site (``vendor``: the npm files to serve)."""
    return {
        "project": "bpkit",
        "author": "The bpkit authors",
        "copyright": "the bpkit authors",
        "extensions": ["myst_nb", "bpkit.site.ext"],
        "exclude_patterns": ["files", "**.ipynb_checkpoints"],
        "html_theme": "sphinx_book_theme",
        "html_title": "bpkit: backpropagation, hands on",
        "html_static_path": [vendor, str(STATIC)],
        "templates_path": [str(TEMPLATES)],
        "html_extra_path": ["files"],
        "html_css_files": ["bpkit-site.css"],
        "html_js_files": ["bpkit-site.js"],
        "html_theme_options": {"show_toc_level": 2, "use_download_button": False},
        "html_last_updated_fmt": None,
        "html_show_sourcelink": False,
        "html_copy_source": False,
        "language": "en",
        # The notebooks are shown with the outputs they were stored with.
        "nb_execution_mode": "off",
        "nb_ipywidgets_js": {
            assets.REQUIRE: {},
            "bpkit-require.js": {},
            # Every widget the lessons use is in the embedder's own bundle; anything else
            # would be looked for beside it, never on another host.
            assets.WIDGETS: {"data-jupyter-widgets-cdn": "../_static/vendor/"},
        },
        "myst_enable_extensions": ["dollarmath", "amsmath"],
        "mathjax_path": assets.MATHJAX,
        "suppress_warnings": ["myst.header"],  # lessons may step from # to ### on purpose
    }


def _image_alt(data: Any) -> str | None:
    """Return the alt text stored in an image output's metadata, if any."""
    meta = data.output_metadata.get(data.mime_type, {})
    alt = meta.get("alt") if isinstance(meta, dict) else None
    return str(alt) if alt else None


NOTE = (
    "On this page the explorer moves one control at a time, through pictures drawn in "
    "advance; the full explorer, with every value and combination, needs Jupyter."
)


def static_explorer(spec: dict[str, Any], alt: str | None) -> str:
    """Return the HTML of an explorer whose sliders show precomputed pictures."""
    first = spec["controls"][0]
    key = hashlib.sha1(first["frames"][0].encode()).hexdigest()[:10]  # unique per explorer
    controls = []
    for i, control in enumerate(spec["controls"]):
        start, labels = control["start"], control["labels"]
        ident = f"bpkit-{key}-{i}"
        label = f'<label for="{ident}">{html.escape(control["label"])}</label>'
        if control.get("menu"):
            chosen = [" selected" if j == start else "" for j in range(len(labels))]
            options = "".join(
                f'<option value="{j}"{chosen[j]}>{html.escape(text)}</option>'
                for j, text in enumerate(labels)
            )
            field = f'<select id="{ident}" data-control="{i}">{options}</select>'
        else:
            field = (
                f'<input type="range" id="{ident}" min="0" max="{len(labels) - 1}" step="1" '
                f'value="{start}" data-control="{i}" aria-valuetext="{html.escape(labels[start])}">'
                f'<output for="{ident}">{html.escape(labels[start])}</output>'
            )
        controls.append(f'<div class="bpkit-frames-control">{label}{field}</div>')
    title = html.escape(spec.get("title") or "Explorer")
    alt_text = alt or first["alts"][first["start"]]
    payload = html.escape(json.dumps(spec["controls"]), quote=True)
    picture = first["frames"][first["start"]]
    return (
        f'<figure class="bpkit-frames" data-controls="{payload}" '
        f'data-alt="{html.escape(alt_text)}">\n'
        f'<figcaption><strong>{title}</strong><br><span class="bpkit-explorer-note">{NOTE}'
        "</span></figcaption>\n"
        f'<div class="bpkit-frames-controls">{"".join(controls)}</div>\n'
        f'<img src="{html.escape(picture)}" alt="{html.escape(alt_text)}">\n'
        "</figure>"
    )


def _patch_renderer() -> None:
    """Make myst-nb's image and widget renderers carry the outputs' alt text."""
    from docutils import nodes
    from myst_nb.core.render import NbElementRenderer

    if getattr(NbElementRenderer, "_bpkit_alt", False):
        return
    render_image = NbElementRenderer.render_image
    render_widget_view = NbElementRenderer.render_widget_view

    def image_with_alt(self: Any, data: Any) -> list:
        rendered = render_image(self, data)
        alt = _image_alt(data)
        for node in rendered:
            if isinstance(node, nodes.image) and alt and not node.get("alt"):
                node["alt"] = alt
        return rendered

    def widget_with_alt(self: Any, data: Any) -> list:
        # The PNG fallback beside the view says what the picture shows.
        meta = data.output_metadata.get("image/png", {})
        alt = meta.get("alt") if isinstance(meta, dict) else None
        spec = data.output_metadata.get("bpkit_frames")
        if spec:  # pictures precomputed at the sliders' stops: a static explorer
            return [nodes.raw(text=static_explorer(spec, alt), format="html")]
        view = json.dumps(data.string) if not isinstance(data.string, str) else data.string
        model = json.loads(view).get("model_id", "")
        marker = (
            f'<div class="bpkit-widget-alt" data-model="{html.escape(model)}" '
            f'data-alt="{html.escape(alt or "")}" hidden></div>'
        )
        return [*render_widget_view(self, data), nodes.raw(text=marker, format="html")]

    NbElementRenderer.render_image = image_with_alt
    NbElementRenderer.render_widget_view = widget_with_alt
    NbElementRenderer._bpkit_alt = True


def setup(app: Any) -> dict[str, Any]:
    """Register the extension with Sphinx."""
    _patch_renderer()
    return {"parallel_read_safe": True, "parallel_write_safe": True}
