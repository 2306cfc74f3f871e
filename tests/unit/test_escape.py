"""User text reaches ReportLab's Paragraph markup escaped: it prints exactly as typed."""

from __future__ import annotations

import pytest

from hescb_desktop.reports.styles import stylesheet
from hescb_desktop.reports.text import Paragraph, para_text


@pytest.mark.parametrize(
    ("typed", "escaped"),
    [
        ("plain", "plain"),
        ("<b>bold?</b>", "&lt;b&gt;bold?&lt;/b&gt;"),
        ("AT&T <3", "AT&amp;T &lt;3"),
        ("&nbsp;", "&amp;nbsp;"),
        ("<i>unclosed", "&lt;i&gt;unclosed"),
        ('say "hi"', "say &quot;hi&quot;"),
        ("one\ntwo\r\nthree\rfour", "one<br/>two<br/>three<br/>four"),
        ("tab\there", "tab\there"),
        ("bell\x07 nul\x00 esc\x1b[2J del\x7f csi\x9b", "bell nul esc[2J del csi"),  # dropped
        ("lone \ud800 surrogate", "lone \ufffd surrogate"),
        ("😀 Zażółć", "😀 Zażółć"),
        # the order as typed: reports.text.Paragraph reorders each printed line as it draws
        ("😀 שלום Zażółć", "😀 שלום Zażółć"),
        # emoji DejaVu Sans lacks are set in Noto Emoji (DejaVu has 😀), with their selectors
        (
            "Meeting ✅ 🚒",
            'Meeting <font name="NotoEmoji">✅</font> <font name="NotoEmoji">🚒</font>',
        ),
        ("👍🏽 🇬🇧", '<font name="NotoEmoji">👍🏽</font> <font name="NotoEmoji">🇬🇧</font>'),
        ("❤️ ❤ 1️⃣", '<font name="NotoEmoji">❤️</font> ❤ <font name="NotoEmoji">1️⃣</font>'),
        ("a ✅<b>", 'a <font name="NotoEmoji">✅</font>&lt;b&gt;'),
    ],
)
def test_para_text(typed: str, escaped: str) -> None:
    assert para_text(typed) == escaped


@pytest.mark.parametrize(
    "typed",
    [
        "<b>",
        "a<b>c",
        "</para>",
        "<script>alert(1)</script>",
        "&nbsp;&amp;&#65;",
        "x < y & z > w",
        "✅ <i>&amp; 🚒",
    ],
)
def test_escaped_text_comes_out_of_a_paragraph_unchanged(typed: str) -> None:
    para = Paragraph(para_text(typed), stylesheet()["Normal"])
    assert para.getPlainText() == typed
