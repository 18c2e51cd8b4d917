"""Matching a message to an application (issue 13.4): pure, without the database."""

from __future__ import annotations

from inbox.matching import (
    ApplicationFacts,
    MessageFacts,
    company_in_text,
    company_matches_domain,
    match,
)

NORTHWIND = ApplicationFacts(
    id=1, company="Northwind Traders", people_emails=frozenset({"priya@northwind.io"})
)
GLOBEX = ApplicationFacts(id=2, company="Globex", listing_domain="careers.globex.com")
INITECH_PM = ApplicationFacts(
    id=3, company="Initech", people_emails=frozenset({"bill@initech.com"})
)
INITECH_UX = ApplicationFacts(id=4, company="Initech")


def facts(sender: str, *others: str, subject: str = "", text: str = "") -> MessageFacts:
    return MessageFacts(sender=sender, addresses=(sender, *others), subject=subject, text=text)


def test_a_recorded_persons_address_decides_first():
    found = match(facts("priya@northwind.io"), [NORTHWIND, GLOBEX])
    assert found.application_id == 1
    assert "priya@northwind.io" in found.reason


def test_a_recorded_person_among_the_recipients_counts_too():
    found = match(facts("noreply@greenhouse.io", "priya@northwind.io"), [NORTHWIND, GLOBEX])
    assert found.application_id == 1


def test_the_senders_domain_then_matches_people_listing_or_company_name():
    assert match(facts("ann@northwind.io"), [NORTHWIND, GLOBEX]).application_id == 1
    assert match(facts("hr@globex.com"), [NORTHWIND, GLOBEX]).application_id == 2
    assert match(facts("jo@northwindtraders.com"), [NORTHWIND, GLOBEX]).application_id == 1


def test_free_mail_and_scheduling_services_say_nothing_about_the_company():
    assert match(facts("northwind@gmail.com"), [NORTHWIND, GLOBEX]).application_id is None
    found = match(facts("no-reply@greenhouse.io", subject="Your application to Globex"),
                  [NORTHWIND, GLOBEX])
    assert found.application_id == 2  # decided by the name in the subject


def test_the_company_name_in_the_subject_or_text_decides_last():
    found = match(facts("x@recruit.example", text="Thanks for applying to Globex."),
                  [NORTHWIND, GLOBEX])
    assert (found.application_id, found.reason) == (2, "it names Globex")


def test_ties_wait_for_the_user_with_the_candidates():
    found = match(facts("hr@initech.com"), [INITECH_PM, INITECH_UX, GLOBEX])
    assert found.application_id is None
    assert set(found.candidate_ids) == {3, 4}


def test_a_person_breaks_a_tie_the_domain_would_leave():
    found = match(facts("bill@initech.com"), [INITECH_PM, INITECH_UX])
    assert found.application_id == 3


def test_open_applications_win_a_tie_over_closed_ones():
    closed = ApplicationFacts(id=5, company="Initech", is_closed=True)
    assert match(facts("hr@initech.com"), [closed, INITECH_UX]).application_id == 4


def test_unknown_mail_is_left_unfiled():
    found = match(facts("someone@unknown.example"), [NORTHWIND, GLOBEX])
    assert found.application_id is None and found.candidate_ids == ()
    assert match(facts("priya@northwind.io"), []).application_id is None


def test_the_candidates_own_addresses_never_match():
    own = ApplicationFacts(id=9, company="Me", people_emails=frozenset({"me@example.org"}))
    found = match(facts("me@example.org"), [own], own_addresses={"me@example.org"})
    assert found.application_id is None


def test_company_name_helpers():
    assert company_matches_domain("Acme Corp", "acme.com")
    assert company_matches_domain("Acme Corp", "jobs.acme-corp.co.uk")
    assert not company_matches_domain("Acme Corp", "acmeish.com")
    assert company_in_text("Globex", "an offer from GLOBEX!")
    assert not company_in_text("Globex", "Globexia is another company")
    assert not company_in_text("AB", "AB testing")  # too short to mean anything
