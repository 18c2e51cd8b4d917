"""Each sample of the corpus → the suggestion a user should see (pure, no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from inbox.mime import parse_message
from inbox.understanding import (
    KINDS,
    PHRASES_DIR,
    Suggestion,
    load_phrases,
    resolve_date,
    understand,
)

SAMPLES = Path(__file__).parent / "samples"
OWN = ("Anna.Lee@example.com",)
# Tuesday 1 December 2026, the day most samples were "sent".
TUESDAY = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)


def suggest(name: str) -> Suggestion:
    return understand(parse_message((SAMPLES / name).read_bytes()), own_addresses=OWN)


# sample, kind, decision date, number of invites, a phrase that must be among the matches
CORPUS = [
    ("google_invite.eml", "invitation", None, 1, None),
    ("outlook_teams_invite.eml", "invitation", None, 1, None),
    ("zoom_invite.eml", "invitation", None, 1, None),
    ("google_update.eml", "invitation", None, 1, None),
    ("outlook_cancel.eml", "invitation", None, 1, None),
    ("ats_invite.eml", "invitation", None, 1, "Your interview has been scheduled"),
    ("ats_update.eml", "invitation", None, 1, None),
    ("ats_cancel.eml", "invitation", None, 1, None),
    ("forwarded_attached_invite.eml", "invitation", None, 1, None),
    ("invitation_in_words_html.eml", "invitation", None, 0, "like to invite you to an interview"),
    ("scheduling_availability.eml", "scheduling", None, 0, "send me a few times that work"),
    ("scheduling_link.eml", "scheduling", None, 0, "use the link below to select"),
    ("scheduling_are_you_available.eml", "scheduling", None, 0, "Are you available on"),
    ("scheduling_times_offered.eml", "scheduling", None, 0, "Which of these slots works"),
    ("rejection_move_forward.eml", "rejection", None, 0,
     "decided to move forward with other candidates"),
    ("rejection_filled.eml", "rejection", None, 0, "position has been filled"),
    ("rejection_another_candidate.eml", "rejection", None, 0, "gone with another candidate"),
    ("rejection_html.eml", "rejection", None, 0, "regret to inform you"),
    ("forwarded_rejection.eml", "rejection", None, 0, "will not be moving forward"),
    ("broken_charset.eml", "rejection", None, 0, "regret to inform you"),
    ("offer.eml", "offer", None, 0, "delighted to extend an offer"),
    ("decision_friday.eml", "decision_date", date(2026, 12, 4), 0, "get back to you by Friday"),
    ("decision_absolute.eml", "decision_date", date(2026, 12, 11), 0,
     "expect to make a final decision by 11 December"),
    ("decision_two_weeks.eml", "decision_date", date(2026, 12, 18), 0,
     "hear from us within the next two weeks"),
    ("decision_early_next_week.eml", "decision_date", date(2026, 12, 8), 0,
     "let you know early next week"),
    ("delay_next_week.eml", "delay", date(2026, 12, 25), 0, "taking a bit longer than expected"),
    ("delay_no_date.eml", "delay", None, 0, "haven't yet made a decision"),
    ("on_hold.eml", "on_hold", None, 0, "position is on hold"),
    ("other_autoreply.eml", "other", None, 0, None),
]  # fmt: skip


@pytest.mark.parametrize(("name", "kind", "decision", "invites", "phrase"), CORPUS)
def test_each_sample_gives_the_expected_suggestion(name, kind, decision, invites, phrase):
    suggestion = suggest(name)
    assert suggestion.kind == kind, suggestion
    assert suggestion.decision_date == decision
    assert len(suggestion.invites) == invites
    if phrase:
        assert phrase in suggestion.phrases
    assert suggestion.summary.endswith(".")
    assert suggestion.kind in KINDS


def test_every_eml_sample_is_in_the_table():
    listed = {row[0] for row in CORPUS}
    assert {path.name for path in SAMPLES.glob("*.eml")} <= listed


def test_the_summary_gives_the_interview_time_in_the_event_zone():
    assert suggest("google_invite.eml").summary == (
        "Looks like an interview invitation on Tue 8 Dec 2026, 10:00 (America/New_York)."
    )


def test_an_update_with_a_higher_sequence_says_the_interview_moved():
    suggestion = suggest("ats_update.eml")
    assert suggestion.invites[0].sequence == 1
    assert (
        suggestion.summary == "The interview was moved to Fri 11 Dec 2026, 15:00 (America/Chicago)."
    )


def test_a_cancellation_says_so():
    suggestion = suggest("ats_cancel.eml")
    assert suggestion.invites[0].cancelled
    assert "was cancelled" in suggestion.summary


def test_r6_the_decision_date_summary_names_the_day():
    assert suggest("decision_friday.eml").summary == "They expect to decide by Fri 4 Dec."


def test_a_delay_with_a_new_date_carries_it():
    suggestion = suggest("delay_next_week.eml")
    assert (
        suggestion.summary == "Their decision is delayed; they now expect to decide by Fri 25 Dec."
    )


def test_quoted_history_is_not_read_the_candidates_own_words_do_not_count():
    # The quoted thank-you says "Unfortunately" and "offer"; the reply itself only a date.
    suggestion = suggest("decision_friday.eml")
    assert all("nfortunately" not in phrase for phrase in suggestion.phrases)
    rejection = suggest("rejection_filled.eml")  # quotes "receive an offer … by Friday"
    assert rejection.kind == "rejection"
    assert rejection.decision_date is None


def test_the_candidates_own_deadline_on_an_offer_is_not_the_employers_decision_date():
    assert suggest("offer.eml").decision_date is None  # "let us know your decision by …"


def test_a_hand_forwarded_message_is_read_as_the_employers():
    suggestion = suggest("forwarded_rejection.eml")
    assert suggestion.kind == "rejection"


def test_a_refused_calendar_part_is_reported_not_raised():
    raw = (SAMPLES / "zoom_invite.eml").read_bytes()
    raw = raw.replace(b"DTSTART:20261207T190000Z", b"DTSTART:garbage")
    suggestion = understand(parse_message(raw), own_addresses=OWN)
    assert suggestion.invites == ()
    assert suggestion.problems == ("The calendar has no event with a usable start time.",)
    assert suggestion.kind == "other"  # "our chat on Monday" alone is no invitation


def test_an_invitation_in_words_without_a_time_is_a_scheduling_request():
    message = parse_message(
        b"From: hr@northwind.io\r\nSubject: Next round\r\nDate: Tue, 1 Dec 2026 10:00:00 +0000\r\n"
        b"\r\nWe would like to invite you to a second interview. When would you be available?\r\n"
    )
    assert understand(message).kind == "scheduling"


def test_an_unknown_language_falls_back_to_english():
    assert load_phrases("xx").language == "en"
    assert load_phrases("en-GB").language == "en"
    assert suggest("on_hold.eml") == understand(
        parse_message((SAMPLES / "on_hold.eml").read_bytes()), own_addresses=OWN, language="zz"
    )


def test_every_phrase_of_every_language_compiles_and_every_kind_has_a_summary():
    for path in PHRASES_DIR.glob("*.toml"):
        phrases = load_phrases(path.stem)
        assert set(phrases.patterns) <= set(KINDS)
        assert all(kind in phrases.summaries for kind in KINDS)


def test_without_a_date_header_relative_dates_use_now_or_stay_unresolved():
    raw = b"From: hr@northwind.io\r\nSubject: Update\r\n\r\nWe will get back to you by Friday.\r\n"
    message = parse_message(raw)
    assert understand(message).decision_date is None
    assert understand(message, now=TUESDAY).decision_date == date(2026, 12, 4)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Friday", date(2026, 12, 4)),
        ("Tuesday", date(2026, 12, 8)),  # said on a Tuesday: the next one
        ("next Friday", date(2026, 12, 11)),
        ("next Monday", date(2026, 12, 7)),
        ("the end of the week", date(2026, 12, 4)),
        ("the end of next week", date(2026, 12, 11)),
        ("early next week", date(2026, 12, 8)),
        ("tomorrow", date(2026, 12, 2)),
        ("the end of the month", date(2026, 12, 31)),
        ("the end of next month", date(2027, 1, 31)),
        ("two weeks", date(2026, 12, 15)),
        ("the next 10 days", date(2026, 12, 11)),
        ("3 business days", date(2026, 12, 4)),
        ("a couple of weeks", date(2026, 12, 15)),
        ("11 December", date(2026, 12, 11)),
        ("December 23", date(2026, 12, 23)),
        ("Friday, 11 December", date(2026, 12, 11)),
        ("January 8th", date(2027, 1, 8)),
        ("the holidays", None),
        ("1 January 1990", None),  # long past: not a decision date
    ],
)
def test_relative_and_absolute_dates_resolve_against_the_message_date(text, expected):
    assert resolve_date(text, TUESDAY) == expected


def test_resolving_an_end_of_week_on_a_saturday_gives_the_coming_friday():
    saturday = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    assert resolve_date("the end of the week", saturday) == date(2026, 12, 11)


def test_google_and_outlook_updates_and_cancellations_are_told_apart():
    assert suggest("google_update.eml").summary == (
        "The interview was moved to Wed 9 Dec 2026, 13:00 (America/New_York)."
    )
    cancelled = suggest("outlook_cancel.eml")
    assert cancelled.invites[0].cancelled
    assert (
        cancelled.summary
        == "The interview on Thu 10 Dec 2026, 14:30 (Europe/Berlin) was cancelled."
    )


def test_proposed_times_in_words_are_a_scheduling_request_not_an_invitation():
    # Times are named, but nothing is booked: the user picks one.
    assert suggest("scheduling_times_offered.eml").kind == "scheduling"


def words(body: str, subject: str = "Our interview") -> Suggestion:
    raw = (
        f"From: Priya Raman <priya.raman@northwind.io>\r\nTo: anna.lee@example.com\r\n"
        f"Subject: {subject}\r\nDate: Tue, 1 Dec 2026 17:00:00 +0000\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
    ).encode() + body.encode()
    return understand(parse_message(raw), own_addresses=OWN)


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        # weak words of one kind lose to a strong phrase of another
        ("Unfortunately, and I regret this, I need to reschedule our interview.", "scheduling"),
        ("Unfortunately the team is travelling, so we will get back to you by Friday.",
         "decision_date"),
        # weak words alone, two of a kind, still count
        ("Unfortunately, after careful consideration, we regret we cannot continue.", "rejection"),
        # one weak word is not enough
        ("Unfortunately it rained on the day of your visit. Thanks for coming!", "other"),
        ("Could you bring your ID for reception? Thanks.", "other"),
        ("We would like to offer you a coffee when you arrive.", "other"),
    ],
)  # fmt: skip
def test_weak_phrases_count_only_in_pairs_and_after_every_strong_one(body, kind):
    assert words(body).kind == kind


@pytest.mark.parametrize(
    "body",
    [
        "We would like to offer you the Senior Designer position.",
        "I am pleased to offer you a full-time role as Data Engineer.",
        "We are happy to offer you the job!",
        "Please find attached your offer letter.",
    ],
)
def test_offers_in_several_phrasings(body):
    assert words(body).kind == "offer"


@pytest.mark.parametrize(
    ("body", "decision"),
    [
        ("We will get back to you by Friday.", date(2026, 12, 4)),
        ("You will hear from us by the end of next week.", date(2026, 12, 11)),
        ("We expect to make a decision within 10 business days.", date(2026, 12, 15)),
        ("We'll let you know by December 18th.", date(2026, 12, 18)),
        ("We should have an update for you by the end of the month.", date(2026, 12, 31)),
        ("I will be in touch early next week.", date(2026, 12, 8)),
        ("I will reach out to you next week.", date(2026, 12, 11)),
        ("I will be in touch with the team.", None),  # no date: nothing to set
    ],
)
def test_r6_decision_dates_in_several_phrasings(body, decision):
    suggestion = words(body, subject="Next steps")
    assert suggestion.decision_date == decision
    assert suggestion.kind == ("decision_date" if decision else "other")


# --- another language is a file ----------------------------------------------------------


def german(body: str) -> Suggestion:
    raw = (
        b"From: Katrin Schneider <katrin.schneider@contoso-gmbh.de>\r\nTo: anna.lee@example.com\r\n"
        b"Subject: Ihre Bewerbung\r\nDate: Tue, 1 Dec 2026 10:00:00 +0100\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
    ) + body.encode()
    return understand(parse_message(raw), own_addresses=OWN, language="de")


@pytest.mark.parametrize(
    ("body", "kind", "decision"),
    [
        ("Leider haben wir uns für einen anderen Kandidaten entschieden.", "rejection", None),
        ("Die Stelle ist bereits besetzt.", "rejection", None),
        ("Wir melden uns bis Freitag bei Ihnen.", "decision_date", date(2026, 12, 4)),
        ("Wir melden uns innerhalb von zwei Wochen.", "decision_date", date(2026, 12, 15)),
        ("Eine Rückmeldung erhalten Sie bis 11. Dezember.", "decision_date", date(2026, 12, 11)),
        ("Der Prozess dauert leider etwas länger als geplant.", "delay", None),
        ("Die Stelle wurde vorerst auf Eis gelegt.", "on_hold", None),
        ("Wann passt es Ihnen für ein zweites Gespräch?", "scheduling", None),
        ("Wir freuen uns, Ihnen ein Angebot zu machen.", "offer", None),
        ("Vielen Dank für Ihre Bewerbung.", "other", None),
    ],
)
def test_a_german_phrase_set_reads_german_mail(body, kind, decision):
    suggestion = german(body)
    assert (suggestion.kind, suggestion.decision_date) == (kind, decision)


def test_german_summaries_use_german_day_names():
    assert german("Wir melden uns bis Freitag.").summary == "Sie wollen bis Fr 4 Dez entscheiden."


def test_the_german_invitation_summary_names_the_time_in_german():
    message = parse_message((SAMPLES / "outlook_teams_invite.eml").read_bytes())
    suggestion = understand(message, own_addresses=OWN, language="de")
    assert suggestion.summary == (
        "Sieht aus wie eine Einladung zum Gespräch am Do 10 Dez 2026, 14:30 (Europe/Berlin)."
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("freitag", date(2026, 12, 4)),
        ("nächsten freitag", date(2026, 12, 11)),
        ("ende nächster woche", date(2026, 12, 11)),
        ("innerhalb von zwei wochen", date(2026, 12, 15)),
        ("11. dezember", date(2026, 12, 11)),
        ("3 werktagen", date(2026, 12, 4)),
        ("morgen", date(2026, 12, 2)),
    ],
)
def test_german_dates_resolve_with_the_german_words(text, expected):
    assert resolve_date(text, TUESDAY, load_phrases("de")) == expected


# --- a pause is not an ending: one wrong click closes an open application ----------------


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        # the report: a polite regret, then a pause
        ("Unfortunately, we regret to inform you that the position is currently on hold. "
         "I will update you as soon as I hear more from the hiring manager.", "on_hold"),
        ("We regret to inform you that the role has been put on hold until the new year.",
         "on_hold"),
        ("Unfortunately, we have paused hiring for this role while the budget is reviewed. "
         "We'll be in touch once we know more.", "on_hold"),
        ("Unfortunately we are pausing all recruitment for the moment. We regret any "
         "inconvenience and will reach out when the search resumes.", "on_hold"),
        ("We regret to inform you that the interviews have been postponed until January; "
         "I'll come back to you with new dates.", "on_hold"),
        ("Unfortunately, due to a hiring freeze, we regret that we cannot continue the process "
         "for now.", "on_hold"),
        # one postponed interview is a request for a new time, not a rejection
        ("Unfortunately, we regret to inform you that we need to postpone your interview "
         "on Friday. Which of these slots works for you instead?", "scheduling"),
        ("We regret to inform you that your interview needs to be rescheduled.", "scheduling"),
        # a delay explained with regret is a delay
        ("We regret to inform you that the hiring manager is out sick, so the decision will "
         "take a bit longer than expected.", "delay"),
        # true rejections that mention "hold" or "file" innocently stay rejections
        ("Unfortunately, we regret to inform you that we have decided to move forward with "
         "other candidates. We will hold your CV on file for future openings.", "rejection"),
        ("We regret to inform you that your application was unsuccessful. With your "
         "permission we will keep your details on file.", "rejection"),
        ("Thank you for your patience. Unfortunately, we regret to inform you that we will "
         "not be moving forward. Please hold on to our careers page for new roles.",
         "rejection"),
        # a decision about the application outranks a pause mentioned along the way
        ("We have decided not to proceed with your application, as the position has been "
         "put on hold indefinitely.", "rejection"),
        # the regret alone, with nothing paused, is still a rejection
        ("We regret to inform you that we have filled the role.", "rejection"),
        ("We regret to inform you that the requisition has been cancelled.", "rejection"),
        ("Dear Anna, we regret to inform you that after careful consideration we will not "
         "be taking your application further.", "rejection"),
    ],
)  # fmt: skip
def test_on_hold_or_postponed_outranks_the_polite_regret_phrases(body, kind):
    assert words(body, subject="Your application").kind == kind


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("Leider müssen wir Ihnen mitteilen, dass die Stelle derzeit auf Eis gelegt ist. "
         "Wir melden uns, sobald es weitergeht.", "on_hold"),
        ("Leider müssen wir Ihnen mitteilen, dass der Auswahlprozess vorübergehend pausiert "
         "wurde.", "on_hold"),
        ("Wir bedauern, Ihnen mitteilen zu müssen, dass aufgrund eines Einstellungsstopps "
         "die Gespräche verschoben werden.", "on_hold"),
        ("Leider müssen wir Ihnen mitteilen, dass wir uns für einen anderen Kandidaten "
         "entschieden haben. Gerne halten wir Ihre Unterlagen in Evidenz.", "rejection"),
        ("Leider müssen wir Ihnen mitteilen, dass wir Ihnen keine Zusage geben können.",
         "rejection"),
    ],
)  # fmt: skip
def test_german_pauses_outrank_the_polite_regret_too(body, kind):
    assert german(body).kind == kind
