"""How the resolution of the graduate's major reads on the matches page: a note, not a reason for the match."""

from __future__ import annotations

from talent.scoring import MatchModel
from talent.web.match_display import match_reasons

POST = {"id": "acct", "title": "会计", "min_education": "college", "district": "220104",
        "description": "负责日常会计核算、凭证录入和报表编制。"}


def test_the_resolution_is_a_note_in_both_languages(app):
    [result] = MatchModel(n_threads=1).fit([POST]).rank_jobs_for_graduates(
        [{"id": "g", "major": "大数据与智能会计", "education": "college", "skills": "Excel"}], top=1)
    why = result["matches"][0]["why"]
    with app.test_request_context("/?lang=zh"):
        reasons = match_reasons(why)
        assert "按文字相近：大数据与会计（530302，高职专科）" in reasons["notes"]
        assert not any("按文字相近" in part for part in reasons["for"] + reasons["against"])
        assert reasons["for"][0].startswith("专业")  # the major's relation stays first among the reasons
    with app.test_request_context("/?lang=en"):
        reasons = match_reasons(why)
        assert "major resolved by similar wording: 大数据与会计 (530302, vocational (associate))" in reasons["notes"]
