"""Plain text that still holds a page's style sheets and scripts (`script_text`)."""

from cleaner.clean import Cleaner
from cleaner.text_rules.script import is_page_code, script_lines

ARTICLE = [
    "The city council approved a new budget for the public library on Tuesday night.",
    "The plan adds two branches and extends opening hours on weekends across the county.",
    "Council members said the vote followed months of debate over the cost of the project.",
]

# What lxml's text_content() or a regex that drops the tags leaves of a page: the title,
# then the head's style sheet, JSON-LD and tag manager, then the page, then a late script.
RAW_DUMP = [
    "Library budget approved | Springfield News",
    "body {",
    "margin: 0;",
    'font-family: "Helvetica Neue", Arial, sans-serif;',
    "}",
    ".site-header a:hover { text-decoration-line: underline; }",
    '{"@context":"https://schema.org","@type":"NewsArticle","headline":"Library budget approved"}',
    "window.dataLayer = window.dataLayer || [];",
    "function gtag(){dataLayer.push(arguments);}",
    "gtag('js', new Date());",
    "",
    "Home",
    "Local News",
    *ARTICLE,
    "Privacy Policy",
    "(function(w,d){var s=d.createElement('script');s.async=true;})(window,document);",
    'var ADS_CONFIG = {"slot":"top","size":[300,250]};',
]
HEAD_CODE = range(1, 10)
TAIL_CODE = (len(RAW_DUMP) - 2, len(RAW_DUMP) - 1)


def test_the_head_and_tail_code_of_a_raw_dump_is_marked_and_nothing_else():
    marked = script_lines(RAW_DUMP)
    expected = set(HEAD_CODE) | set(TAIL_CODE)
    assert {i for i, m in enumerate(marked) if m} == expected


def test_a_raw_dump_cleans_to_its_article_without_style_or_script():
    text = Cleaner().clean("\n".join(RAW_DUMP), "text").text
    for sentence in ARTICLE:
        assert sentence in text
    for code in ("margin", "dataLayer", "@context", "createElement", "ADS_CONFIG", "font-family"):
        assert code not in text


def test_code_examples_between_prose_lines_are_left_to_the_model():
    """Documentation shows browser code as its content: never marked between prose lines."""
    docs_page = [
        "Selecting elements",
        "The querySelector method returns the first element that matches a selector.",
        'const button = document.querySelector("#save");',
        "(function () {",
        '  button.addEventListener("click", save);',
        "})();",
        "Each call walks the document in order, so a specific selector is faster than a broad one.",
        "function save() {",
        '  console.log("saved");',
        "}",
    ]
    assert not script_lines(docs_page).any()  # the tail has no browser's mark


def test_what_is_page_code():
    for line in (
        "margin: 0;",
        "display: inline !important;",
        ".nav > li {",
        "@media (max-width: 600px) {",
        "window.__STATE__ = {};",
        '[{"id":1,"name":"a","tags":[]}]',
        "!function(e){e.x=1}(this);",
    ):
        assert is_page_code(line), line
    for line in (
        "Height: 3.2 cm;",
        "Color: Black",
        "Note: results may vary;",
        "Open the window. Then close it.",
        "if (ready) {",
        "function square(x) {",
        "Price: $35.00",
        "{a} is a set",
        "",
    ):
        assert not is_page_code(line), line


def test_texts_without_code_are_untouched():
    assert not script_lines(ARTICLE).any()
    assert not script_lines([]).any()


def test_a_page_without_prose_is_read_once_whole():
    lines = ["Shop", "body {", "margin: 0;", "}", "Cart", "Checkout"]
    assert script_lines(lines).tolist() == [False, True, True, True, False, False]
