"""Check a built site works opened from disk: every internal link names a file that exists, and search is inlined.

    python docs/check_site.py site
"""
import re
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

_LINK = re.compile(r'(?:href|src)="([^"#?]+)[^"]*"')


def broken_links(site):
    """(page, link) pairs whose target is missing or is a folder (a folder shows a directory listing from disk)."""
    site = Path(site)
    bad = []
    for page in sorted(site.rglob("*.html")):
        if page.name == "404.html":  # served only: a server answers it for any path, so its links are absolute
            continue
        for link in _LINK.findall(page.read_text(encoding="utf-8")):
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith(("data:", "mailto:", "javascript:")):
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            if not target.is_file():
                bad.append((str(page.relative_to(site)), link))
    return bad


def main(site):
    """Print what is broken and return 1, or 0 when the site is whole."""
    problems = [f"{page}: link to {link!r} is not a file" for page, link in broken_links(site)]
    if not (Path(site) / "search" / "search_index.js").is_file():
        problems.append("search/search_index.js is missing: search will not work from file:// (offline plugin)")
    print("\n".join(problems[:50]) or f"{site}: every internal link is a file; search works offline")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "site"))
