"""The report in a real browser: headless Chromium (Debian's `chromium`, which tests/run.sh installs
with a CJK font when missing) opens report.html and document pages of a dataset made from the bundled
sample plus one planted file, and this checks what it drew and what it ran.

- The screenshot of report.html is not blank: most of it is white page, but charts (the bars' blue)
  and text cover a real share of it.
- The DOM Chromium built holds the charts (inline <svg> with bars), a known speaker of the sample
  and links to the document pages; a document page holds its marked evidence and its outline.
- Raw text is untrusted: the planted file's text and name hold a <script> and an <img onerror>
  that would each set an attribute on <body> if run. They must show as text and set nothing.

Usage: browser.py PIPELINE WORKDIR [--screenshot PNG]   (PNG: keep the report's screenshot, as the
README's docs/report.png is made)
"""

import html.parser
import pathlib
import shutil
import subprocess
import sys

from PIL import Image

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=1200,1800",
]

# Markup an attacker could put in a raw file (written for this test, not a real text): each, if
# the browser ran it, marks <body> with data-planted.
SCRIPT = "<script>document.body.setAttribute('data-planted','script')</script>"
IMAGE = "<img src=x onerror=\"document.body.setAttribute('data-planted','img')\">"
PLANTED_NAME = "<img src=x onerror=document.body.setAttribute('data-planted','name')>.txt"
PLANTED_TEXT = (
    "关于加强机关作风建设的讲话\n同志们：\n"
    f"今天我们召开会议，{SCRIPT}研究部署机关作风建设工作。"
    f"大家要提高认识，{IMAGE}狠抓落实，确保各项任务落到实处，推动机关作风建设不断取得新成效。\n"
)
KNOWN_SPEAKER = "刘小英"


def chromium(args, work):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        sys.exit("browser.py: chromium is not installed (tests/run.sh installs Debian's chromium)")
    profile = work / "chromium-profile"
    shutil.rmtree(profile, ignore_errors=True)
    done = subprocess.run(
        [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=180,
    )
    if done.returncode != 0:
        sys.exit(f"browser.py: chromium failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout


class Dom(html.parser.HTMLParser):
    """What the checks read of a serialised DOM: elements by tag, attributes, the text."""

    def __init__(self, serialised):
        super().__init__(convert_charrefs=True)
        self.tags = {}
        self.attributes = []
        self.links = []
        self.text = []
        self.feed(serialised)

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        self.attributes.extend(name for name, _ in attrs)
        self.links.extend(value for name, value in attrs if tag == "a" and name == "href")

    def handle_data(self, data):
        self.text.append(data)


def dom(page, work):
    return Dom(chromium(["--dump-dom", page.as_uri()], work))


def check(condition, message):
    if not condition:
        sys.exit(f"browser.py: {message}")


def main():
    pipeline, work = pathlib.Path(sys.argv[1]).resolve(), pathlib.Path(sys.argv[2]).resolve()
    keep = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--screenshot" else None
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
    check(fonts.strip(), "no CJK font installed (fonts-noto-cjk): Chinese would draw as boxes")

    raw, out = work / "browser-raw", work / "browser-out"
    shutil.rmtree(raw, ignore_errors=True)
    shutil.copytree("raw", raw)
    (raw / PLANTED_NAME).write_text(PLANTED_TEXT, encoding="utf-8")
    subprocess.run(
        [pipeline, "run", "--quiet", "--force", "--raw", raw, "--out", out],
        check=True,
        cwd=work,
    )

    report = dom(out / "report.html", work)
    text = "".join(report.text)
    check(report.tags.get("svg", 0) >= 6, f"report.html: {report.tags.get('svg', 0)} charts")
    check(report.tags.get("rect", 0) >= 20, "report.html: the charts have no bars")
    check(KNOWN_SPEAKER in text, f"report.html: {KNOWN_SPEAKER} not shown")
    check(PLANTED_NAME in text, "report.html: the planted file name is not shown as text")
    check("data-planted" not in report.attributes, "report.html: planted markup ran")
    pages = [link for link in report.links if link.startswith("report/")]
    check(len(pages) == 7, f"report.html links {len(pages)} document pages, not 7")

    planted_page = None
    for link in pages:
        page = dom(out / link, work)
        check("data-planted" not in page.attributes, f"{link}: planted markup ran")
        check(page.tags.get("img", 0) == 0 and page.tags.get("script", 0) == 0, f"{link}: markup")
        if "研究部署机关作风建设工作" in "".join(page.text):
            planted_page = page
        if KNOWN_SPEAKER in "".join(page.text):
            check(page.tags.get("mark", 0) >= 3, f"{link}: the evidence is not marked")
            check(page.tags.get("li", 0) >= 10, f"{link}: the outline is not drawn")
    check(planted_page is not None, "the planted document has no page")
    planted_text = "".join(planted_page.text)
    check(SCRIPT in planted_text and IMAGE in planted_text, "the planted markup is not shown as text")

    shot = work / "report.png"
    chromium([f"--screenshot={shot}", (out / "report.html").as_uri()], work)
    image = Image.open(shot).convert("RGB")
    colours = dict((rgb, n) for n, rgb in image.getcolors(image.width * image.height))
    total = image.width * image.height
    inked = 1 - colours.get((255, 255, 255), 0) / total
    bars = colours.get((59, 110, 165), 0) / total
    check(inked > 0.03, f"the screenshot is blank ({inked:.1%} not white)")
    check(bars > 0.005, f"the screenshot shows no bars ({bars:.2%} bar blue)")
    if keep:
        shutil.copy(shot, keep)
    print(
        f"browser: report.html drew {report.tags['svg']} charts, {len(pages)} document pages; "
        f"screenshot {inked:.0%} inked, {bars:.1%} bars; planted markup shown as text, not run"
    )


if __name__ == "__main__":
    main()
