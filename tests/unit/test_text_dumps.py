"""Text browsers' link numbers, reference lists, pictures and form controls are undone;
other brackets and lists stay."""

from cleaner.clean import Cleaner
from cleaner.decide import keep_mask
from cleaner.segment.text import strip_link_numbers, text_blocks
from cleaner.text_rules.dumps import control_lines, link_list_start, picture_paragraphs
from cleaner.text_rules.wrapping import wrap_width
from cleaner.types import Block

LYNX_DUMP = """\
   [1]Skip to Content
     * [2]Home
     * [3]About us
     * [4]Contact

The Harbour Bridge Reopens After Repairs

   The old harbour bridge reopened on Monday after eight months of repairs,
   the city said. Engineers replaced the [5]steel cables and resurfaced the
   deck, and traffic is expected to return to normal within a week.

   Residents had waited for the reopening since the spring floods damaged
   the bridge's supports, and many of them came to watch the first cars
   cross it in the morning.

   [6] Website by Example Studio

References

   Visible links:
   1. file:///tmp/lynxXXXX/L123TMP.html#content
   2. https://example.org/
   3. https://example.org/about
   4. https://example.org/contact
   5. https://example.org/a long file name.pdf
   Hidden links:
   6. https://studio.example/
"""


def test_link_numbers_are_taken_out_of_a_numbered_dump():
    text = strip_link_numbers(LYNX_DUMP)
    assert "[5]" not in text and "replaced the steel cables" in text
    assert "* Home" in text and "Website by Example Studio" in text
    assert "[" not in "\n".join(block.text for block in text_blocks(LYNX_DUMP))


def test_subscripts_in_code_survive_in_a_numbered_dump():
    dump = "[1]Home [2]Docs [3]Blog\n   a[0] = 1\n   print(b[1])\n   [4] Website by [5]\n"
    assert strip_link_numbers(dump) == "Home Docs Blog\n   a[0] = 1\n   print(b[1])\n   Website by \n"


def test_footnote_marks_and_few_brackets_are_left_alone():
    footnotes = "The bridge opened in 1932.[1] It was rebuilt in 1988[2], then again.[3]\n"
    assert strip_link_numbers(footnotes) == footnotes
    two = "See [1]the report and [2]the map.\n"
    assert strip_link_numbers(two) == two


def test_trailing_reference_list_is_found_from_its_heading():
    lines = [block.text for block in text_blocks(LYNX_DUMP)]
    start = link_list_start(lines)
    assert lines[start] == "References"
    assert lines[start - 1] == "Website by Example Studio"


def test_a_url_split_over_two_lines_stays_in_the_list():
    lines = [
        "Body text ends here.",
        "References",
        "1. https://a.example/",
        "2. https://b.example/?q=x",
        "https://b.example/rest",
        "3. mailto:someone@example.org",
    ]
    assert link_list_start(lines) == 1


def test_a_list_broken_by_a_target_with_text_or_a_stray_mark_is_found_from_its_heading():
    lines = [
        "Body text ends here.",
        "References",
        "Visible links:",
        "1. https://a.example/",
        "2. mailto:x@example.org?body=Hello",
        "there, this is the mail's text",
        "3. https://b.example/",
        "4. https://c.example/",
        "5. https://d.example/",
        "6. https://e.example/",
        "7. https://f.example/",
        "8. https://g.example/",
        "[USEMAP]",
    ]
    assert link_list_start(lines) == 1
    prose = [
        "References",
        "1. https://a.example/",
        "2. https://b.example/",
        "Smith, J. (2020). Bridges.",
        "Jones, K. (2019). Rivers and the towns along them.",
        "Brown, L. (2018). Floods.",
    ]
    assert link_list_start(prose) == len(prose)


def test_a_list_of_numbered_titles_each_with_its_target_below_is_found():
    # elinks: "References", "Visible links", then each link's title numbered and its
    # target on the next line
    lines = [
        "Body text ends here.",
        "References",
        "Visible links",
        "1. Home",
        "https://a.example/",
        "2. Contact us",
        "https://a.example/contact",
        "3. https://b.example/",
    ]
    assert link_list_start(lines) == 1
    assert link_list_start(lines[2:]) == 0
    # a numbered list in the body, with a link under one item, is not a link list
    body = ["Steps:", "1. Open the box", "2. Read the guide", "https://a.example/guide", "3. Plug it in"]
    assert link_list_start(body) == len(body)


def test_no_list_without_numbered_targets():
    lines = ["An article.", "References", "Smith, J. (2020). A study of bridges.", "https://doi.org/10.1/x"]
    assert link_list_start(lines) == len(lines)
    assert link_list_start([]) == 0
    assert link_list_start(["Contact: https://example.org/contact"]) == 1


def test_cleaning_a_lynx_dump_drops_the_reference_list():
    result = Cleaner().clean(LYNX_DUMP, "text")
    assert "https://" not in result.text and "file://" not in result.text
    assert "[5]" not in result.text


def test_pictures_and_form_controls_are_found_by_their_form():
    lines = [
        "[logo.png]",
        "[][yH5BAEAAAA][ProductIma]",
        "* [icon-facebook.svg]",
        "[Screenshot of the app]",
        "[search                ]",
        "(BUTTON) Submit",
        "Email Address * ____________________",
        "The bridge opened in 1932.[1] It was rebuilt in 1988.",
        "[Read the report] and then the map",
        "print(b[1])",
        "A [bracketed] word.",
        "Name: ____",
        "",
    ]
    assert control_lines(lines).tolist() == [True] * 7 + [False] * 6
    assert not control_lines(["No brackets here.", "Nor here."]).any()


def test_pictures_and_form_controls_are_never_kept_in_plain_text_only():
    texts = ["[hero-banner-2x.jpg]", "The harbour bridge reopened on Monday.", "(BUTTON) Subscribe"]
    blocks = [Block(text=text) for text in texts]
    scores = [0.9, 0.9, 0.9]
    assert keep_mask(blocks, scores, plain_text=True).tolist() == [False, True, False]
    assert keep_mask(blocks, scores, 0.5, plain_text=True).tolist() == [False, True, False]
    assert keep_mask(blocks, scores).tolist() == [True, True, True]


ALT_TWICE = """\
   The old harbour bridge reopened on Monday after eight months of repairs,
   the city said. Engineers replaced the steel cables and resurfaced the
   deck, and traffic is expected to return to normal within a week.

   Two engineers in orange vests checking a steel cable on the bridge deck
   Two engineers in orange vests checking a steel cable on the bridge deck

   Residents had waited for the reopening since the spring floods damaged
   the bridge's supports. Many came to watch, and many came to watch again.
   bridge hero bridge hero
"""


def test_a_paragraph_that_says_its_words_twice_is_an_image_text():
    blocks = text_blocks(ALT_TWICE)
    marked = [
        block.text for block, mark in zip(blocks, picture_paragraphs(blocks, wrap_width(blocks))) if mark
    ]
    assert marked == [
        "Two engineers in orange vests checking a steel cable on the bridge deck",
        "Two engineers in orange vests checking a steel cable on the bridge deck",
        "bridge hero bridge hero",
    ]
    result = Cleaner().clean(ALT_TWICE, "text")
    assert "orange vests" not in result.text and "hero" not in result.text
    assert "many came to watch again" in result.text


LONG_ALT = """\
The old harbour bridge reopened on Monday after eight months of repairs,
the city said. Engineers replaced the steel cables and resurfaced the
deck, and traffic is expected to return to normal within a week.

[Two engineers in orange vests check a steel cable on the bridge deck,
while a crane lifts a new section of railing into place behind them and
a line of cars waits at the barrier]

[Editor's note: an earlier version of this story gave the wrong date for
the reopening.] The bridge was built in 1932 and rebuilt in 1988, when
its deck was widened to carry four lanes of traffic over the harbour.
"""


def test_a_wrapped_paragraph_wholly_in_brackets_is_an_image_text():
    # pandoc's plain text prints a long alt text in brackets, wrapped like any paragraph
    blocks = text_blocks(LONG_ALT)
    marked = [
        block.text for block, mark in zip(blocks, picture_paragraphs(blocks, wrap_width(blocks))) if mark
    ]
    assert (
        len(marked) == 3 and marked[0].startswith("[Two engineers") and marked[-1].endswith("at the barrier]")
    )
    result = Cleaner().clean(LONG_ALT, "text")
    assert "orange vests" not in result.text and "crane" not in result.text
    assert "rebuilt in 1988" in result.text  # brackets that open a paragraph of body text


GLUED_ALT = """\
   The old harbour bridge reopened on Monday after eight months of repairs,
   the city said. Engineers replaced the steel cables and resurfaced the
   deck, and traffic is expected to return to normal within a week.

   [4]Two engineers in orange vests check a steel cable on the bridge deck
   while a crane lifts a new section of railing.[5]Two engineers in orange
   vests check a steel cable on the bridge deck while a crane lifts a new
   section of railing.

   Residents had waited for the reopening since the spring floods damaged
   the bridge's supports. [6]Many came to watch, and many came to watch again.
"""


def test_an_alt_text_said_twice_around_a_link_number_is_an_image_text():
    # elinks prints a linked picture's alt text for the picture and for the link, with the
    # link's number between them; once the numbers are out, the two copies are glued
    result = Cleaner().clean(GLUED_ALT, "text")
    assert "orange vests" not in result.text
    assert "traffic is expected" in result.text and "many came to watch again" in result.text
