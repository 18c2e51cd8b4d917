"""The five articles the advice comes from (DOMAIN.md and ``seeds/``), by their titles.

The code, the tests and the admin name an article by its number ("001"); a job seeker
reads its title, under "Why?", after the sentence of advice the rule or check comes from.
"""

from __future__ import annotations

ARTICLES: dict[str, str] = {
    "000": "I just had a great interview. Now what?",
    "001": "How to Follow Up After a Job Interview",
    "002": "Follow up, follow up, follow up",
    "003": "How to Best Follow-Up After an Interview!",
    "004": "Thank you correspondence is MANDATORY, not optional.",
}
