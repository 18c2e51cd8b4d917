"""Getting a candidate's data out (JSON, CSV, vCard) and a JSON export back in.

The export covers every model of the candidate across ``interviews``, ``notes`` and
``reminders`` (and the tracking room's own calendar feed is never exported); it reads all
three, hence this module in the tracking room.

Exports stream: each section is read with ``.values().iterator(chunk_size=…)`` and written
out in ~64 KB pieces, so memory stays bounded whatever the number of applications (tested
with 10,000). CSV cells that a spreadsheet would run as a formula (starting with
``= + - @``, a tab or a carriage return) are prefixed with ``'``.

Import (``import_export``) takes the bytes of a JSON export:

1. Files over ``IMPORT_MAX_BYTES`` (20 MiB) or with more than ``IMPORT_MAX_RECORDS``
   records are refused before anything is parsed or written.
2. Every record is validated first: known fields only, the model's own field validation,
   references to records of the same file, consistent applications, time zones present.
3. Any rejection and nothing is written: the report lists each rejected record and why.
4. Otherwise every row is created in one transaction, with new ids, owned by the importing
   candidate; the profile settings are applied. Follow-up keys (which embed ids) are
   rewritten to the new ids. The calendar feed's secret is never exported.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from nameparser import HumanName

from inbox import mime
from inbox.models import CalendarInvite, ReceivedMessage
from interviews import services as interview_services
from interviews.models import (
    Application,
    Attendance,
    Candidate,
    Debrief,
    DebriefDraft,
    Interview,
    Interviewer,
    StatusChange,
)
from notes.models import (
    Achievement,
    Correspondence,
    Note,
    NotesSettings,
    Resource,
    Testimonial,
)
from reminders.models import FollowUp, ReminderSettings, Status
from reminders.rules import RULES

FORMAT = "followup-export"
VERSION = 1
CHUNK_ROWS = 2_000
PIECE_BYTES = 64 * 1024
IMPORT_MAX_BYTES = 20 * 1024 * 1024  # documented on the "Your data" page and in README
IMPORT_MAX_RECORDS = 200_000
MAX_REPORTED = 50  # rejections listed one by one; the rest are counted
PROFILE_FIELDS = (
    "display_name", "time_zone", "country", "reminder_hour",
    "signature_name", "signature_phone", "signature_address",
)


@dataclass(frozen=True)
class Section:
    """One model in the export: whose rows, which references, what is left out."""

    name: str
    model: type[models.Model]
    owner_path: str  # the lookup from a row to its candidate
    owner_field: str = ""  # the row's own foreign key to the candidate, set on import
    refs: tuple[tuple[str, str], ...] = ()  # (foreign key, section it points into)
    exclude: tuple[str, ...] = ()  # transient bookkeeping, not data
    singleton: bool = False

    @property
    def data_fields(self) -> list[models.Field]:
        """The concrete fields exported as they are: not the id, owner or references."""
        skip = {self.owner_field, *self.exclude, *(name for name, _ in self.refs)}
        return [
            f for f in self.model._meta.concrete_fields
            if not f.primary_key and f.name not in skip
        ]

    @property
    def keys(self) -> list[str]:
        return ["id", *(name for name, _ in self.refs), *(f.name for f in self.data_fields)]

    def rows(self, owner: Candidate) -> models.QuerySet:
        return (
            self.model._default_manager.filter(**{self.owner_path: owner})
            .order_by("pk").values(*self.keys)
        )


SECTIONS: tuple[Section, ...] = (
    Section("applications", Application, "owner", owner_field="owner"),
    Section("status_changes", StatusChange, "application__owner",
            refs=(("application", "applications"),)),
    Section("interviews", Interview, "application__owner",
            refs=(("application", "applications"),)),
    Section("interviewers", Interviewer, "application__owner",
            refs=(("application", "applications"),)),
    Section("attendances", Attendance, "interview__application__owner",
            refs=(("interview", "interviews"), ("interviewer", "interviewers"))),
    Section("debriefs", Debrief, "interview__application__owner",
            refs=(("interview", "interviews"),)),
    # A debrief being written: the steps as typed (the wizard's own layout).
    Section("debrief_drafts", DebriefDraft, "interview__application__owner",
            refs=(("interview", "interviews"),)),
    Section("correspondence", Correspondence, "application__owner",
            refs=(("application", "applications"), ("interview", "interviews"),
                  ("interviewer", "interviewers"))),
    Section("notes", Note, "application__owner",
            refs=(("application", "applications"), ("interview", "interviews"),
                  ("interviewer", "interviewers"), ("correspondence", "correspondence")),
            exclude=("editor",)),
    Section("testimonials", Testimonial, "owner", owner_field="owner"),
    Section("achievements", Achievement, "owner", owner_field="owner"),
    Section("resources", Resource, "owner", owner_field="owner"),
    Section("notes_settings", NotesSettings, "owner", owner_field="owner", singleton=True),
    # The Inbox: what was understood of each message, not its raw bytes (kept for
    # re-parsing only); the forwarding token and mailbox passwords are never exported.
    Section("received_messages", ReceivedMessage, "owner", owner_field="owner",
            refs=(("application", "applications"),),
            exclude=("raw", "size", "mailbox", "candidate_ids",
                     "parse_claimed_until")),
    Section("calendar_invites", CalendarInvite, "owner", owner_field="owner",
            refs=(("message", "received_messages"), ("interview", "interviews"))),
    Section("followups", FollowUp, "owner", owner_field="owner",
            refs=(("application", "applications"), ("interview", "interviews"),
                  ("interviewer", "interviewers")),
            exclude=("claimed_until", "claim_token")),
    # digested_through is the push engine's bookmark (reminders.notify), not a setting.
    Section("reminder_settings", ReminderSettings, "candidate", owner_field="candidate",
            exclude=("digested_through",), singleton=True),
)
SECTION_NAMES = tuple(section.name for section in SECTIONS)
# A follow-up's status in exports made before a claim became a lease (reminders 0005).
LEGACY_CLAIMED = "claimed"


# --- Streaming helpers --------------------------------------------------------------------


def _pieces(parts: Iterable[str], size: int = PIECE_BYTES) -> Iterator[bytes]:
    """Join small strings into pieces of about ``size`` bytes, for fewer writes."""
    buffer: list[str] = []
    length = 0
    for part in parts:
        buffer.append(part)
        length += len(part)
        if length >= size:
            yield "".join(buffer).encode()
            buffer, length = [], 0
    if buffer:
        yield "".join(buffer).encode()


def _dumps(value: Any) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)


# --- JSON export --------------------------------------------------------------------------


def profile_of(owner: Candidate) -> dict[str, Any]:
    return {name: str(getattr(owner, name)) if name == "country" else getattr(owner, name)
            for name in PROFILE_FIELDS}


def _json_parts(owner: Candidate, now: datetime) -> Iterator[str]:
    yield "{" + f'"format": {_dumps(FORMAT)}, "version": {VERSION}, '
    yield f'"exported_at": {_dumps(now)}, "email": {_dumps(owner.email)}, '
    yield f'"profile": {_dumps(profile_of(owner))}'
    for section in SECTIONS:
        yield f',\n"{section.name}": ['
        separator = "\n"
        for row in section.rows(owner).iterator(chunk_size=CHUNK_ROWS):
            yield separator + _dumps(row)
            separator = ",\n"
        yield "\n]"
    yield "\n}\n"


def export_json(owner: Candidate, now: datetime | None = None) -> Iterator[bytes]:
    return _pieces(_json_parts(owner, now or timezone.now()))


# --- CSV export ---------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any, zone=None) -> str:
    """A cell's text; text a spreadsheet would evaluate as a formula is made inert."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (value.astimezone(zone) if zone else value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool | int | float):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """csv.writer's file: hands each written line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


@dataclass(frozen=True)
class CsvTable:
    filename: str
    columns: tuple[tuple[str, str], ...]  # (heading, values() key)
    queryset: Any  # callable(owner) -> QuerySet

    def rows(self, owner: Candidate) -> models.QuerySet:
        return self.queryset(owner).values(*(key for _, key in self.columns))


def _choice_labels(*pairs) -> dict[str, dict[str, str]]:
    return {key: dict(model._meta.get_field(name).choices) for key, model, name in pairs}


CSV_TABLES = {
    "applications": CsvTable(
        "applications.csv",
        (("id", "id"), ("company", "company"), ("role", "role_title"),
         ("status", "status"), ("source", "source"), ("listing URL", "listing_url"),
         ("decision expected", "decision_date"), ("created", "created_at"),
         ("notes", "notes")),
        lambda owner: Application.objects.owned_by(owner).order_by("pk"),
    ),
    "interviews": CsvTable(
        "interviews.csv",
        (("id", "id"), ("application id", "application_id"),
         ("company", "application__company"), ("role", "application__role_title"),
         ("round", "round_number"), ("format", "format"), ("starts", "starts_at"),
         ("ends", "ends_at"), ("location", "location"),
         *((str(Interview._meta.get_field(name).verbose_name), name)
           for name in Interview.QUESTION_FIELDS)),
        lambda owner: Interview.objects.owned_by(owner).order_by("pk"),
    ),
    "interviewers": CsvTable(
        "interviewers.csv",
        (("id", "id"), ("application id", "application_id"),
         ("company", "application__company"), ("name", "name"), ("title", "title"),
         ("email", "email"), ("phone", "phone"), ("role in the process", "role")),
        lambda owner: Interviewer.objects.owned_by(owner).order_by("pk"),
    ),
}
CSV_LABELS = _choice_labels(
    ("status", Application, "status"), ("source", Application, "source"),
    ("format", Interview, "format"), ("q_preferred_contact", Interview, "q_preferred_contact"),
    ("role", Interviewer, "role"),
)


def _csv_lines(owner: Candidate, table: CsvTable) -> Iterator[str]:
    writer = csv.writer(_Echo())
    keys = [key for _, key in table.columns]
    zone = owner.zone
    yield "\ufeff"  # a byte-order mark, so spreadsheet apps read the file as UTF-8
    yield writer.writerow([heading for heading, _ in table.columns])
    for row in table.rows(owner).iterator(chunk_size=CHUNK_ROWS):
        yield writer.writerow([
            csv_cell(CSV_LABELS[key].get(row[key], row[key]) if key in CSV_LABELS else row[key],
                     zone)
            for key in keys
        ])


def export_csv(owner: Candidate, kind: str) -> Iterator[bytes]:
    return _pieces(_csv_lines(owner, CSV_TABLES[kind]))


# --- vCard export -------------------------------------------------------------------------


def _vcard_text(value: str) -> str:
    """Escape a vCard 3.0 text value (RFC 2426 §5)."""
    return (
        value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
        .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
    )


def _fold(line: str) -> str:
    """Fold a content line at 75 octets, never inside a UTF-8 character (RFC 2425)."""
    out, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode())
            current = b""
        current += encoded
    out.append(current.decode())
    return "\r\n ".join(out) + "\r\n"


def _vcard(person: dict[str, Any], role_labels: dict[str, str]) -> str:
    name = HumanName(person["name"])
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"FN:{_vcard_text(person['name'])}",
        "N:" + ";".join(_vcard_text(part) for part in (
            name.last, name.first, name.middle, name.title, name.suffix)),
        f"ORG:{_vcard_text(person['application__company'])}",
    ]
    if person["title"]:
        lines.append(f"TITLE:{_vcard_text(person['title'])}")
    if person["email"]:
        lines.append(f"EMAIL;TYPE=INTERNET:{_vcard_text(person['email'])}")
    if person["phone"]:
        lines.append(f"TEL;TYPE=WORK:{_vcard_text(person['phone'])}")
    role = role_labels.get(person["role"], person["role"])
    lines.append("NOTE:" + _vcard_text(
        f"{role} · {person['application__role_title']} at {person['application__company']}"
    ))
    lines += [f"UID:followup-interviewer-{person['id']}", "END:VCARD"]
    return "".join(_fold(line) for line in lines)


def export_vcards(owner: Candidate) -> Iterator[bytes]:
    role_labels = dict(Interviewer._meta.get_field("role").choices)
    rows = (
        Interviewer.objects.owned_by(owner).order_by("pk")
        .values("id", "name", "title", "email", "phone", "role", "application__company",
                "application__role_title")
        .iterator(chunk_size=CHUNK_ROWS)
    )
    return _pieces(_vcard(person, role_labels) for person in rows)


# --- Import -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rejection:
    where: str
    reason: str


@dataclass
class ImportReport:
    """What an import did. ``error`` is a problem with the whole file."""

    error: str = ""
    imported: dict[str, int] = field(default_factory=dict)
    rejected: list[Rejection] = field(default_factory=list)
    rejected_count: int = 0
    profile_updated: bool = False

    @property
    def ok(self) -> bool:
        return not self.error and not self.rejected_count

    @property
    def unlisted(self) -> int:
        return self.rejected_count - len(self.rejected)

    @property
    def imported_rows(self) -> list[tuple[str, int]]:
        return [(name.replace("_", " ").capitalize(), n) for name, n in self.imported.items()]

    def reject(self, where: str, reason: str) -> None:
        self.rejected_count += 1
        if len(self.rejected) < MAX_REPORTED:
            self.rejected.append(Rejection(where, reason))

    def as_dict(self) -> dict[str, Any]:
        return {
            "error": self.error,
            "imported": self.imported,
            "rejected": [[r.where, r.reason] for r in self.rejected],
            "rejected_count": self.rejected_count,
            "profile_updated": self.profile_updated,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportReport:
        return cls(
            error=data.get("error", ""), imported=data.get("imported", {}),
            rejected=[Rejection(*pair) for pair in data.get("rejected", [])],
            rejected_count=data.get("rejected_count", 0),
            profile_updated=data.get("profile_updated", False),
        )


@dataclass
class _Record:
    old_id: int
    instance: models.Model
    refs: dict[str, int | None]


@dataclass
class _Plan:
    records: dict[str, list[_Record]] = field(default_factory=dict)
    # old id -> old application id, for the consistency checks
    application_of: dict[str, dict[int, int]] = field(default_factory=dict)
    profile: dict[str, Any] = field(default_factory=dict)


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(str(m) for m in errors)}"
            for name, errors in error.message_dict.items()
        )
    return " ".join(error.messages)


def _scalar_problem(section: Section, raw: dict[str, Any]) -> str:
    for f in section.data_fields:
        value = raw.get(f.name)
        if isinstance(f, models.JSONField):
            continue
        if value is not None and not isinstance(value, str | int | float | bool):
            return f"{f.name}: expected a single value, not {type(value).__name__}"
    return ""


def _check_instance(section: Section, instance: models.Model) -> str:
    """Field validation by the model itself, plus what the database would refuse."""
    exclude = [section.owner_field, *(name for name, _ in section.refs)]
    try:
        instance.full_clean(
            exclude=[name for name in exclude if name],
            validate_unique=False, validate_constraints=False,
        )
    except ValidationError as error:
        return _messages(error)
    for f in section.data_fields:
        value = getattr(instance, f.attname)
        if isinstance(f, models.DateTimeField) and value and timezone.is_naive(value):
            return f"{f.name}: a date and time needs its time zone"
    if isinstance(instance, Interview) and instance.ends_at <= instance.starts_at:
        return "ends_at: an interview must end after it starts"
    if isinstance(instance, ReminderSettings):
        rules = instance.disabled_rules
        if not isinstance(rules, list) or any(rule not in RULES for rule in rules):
            return "disabled_rules: expected a list of rule ids such as R1"
    return ""


def _sanitised(source: str) -> str:
    """A message's HTML as the Inbox would show it: the file says it was sanitised, but the
    file is anyone's to write, so it is sanitised again exactly as inbound mail is. HTML too
    large to sanitise within the Inbox's bounds is dropped (the message's text is kept): the
    Inbox's own size test, so that the two never differ."""
    if not source or not mime._sanitisable(source):
        return ""
    return mime.sanitise_html(source)[0]


def _same_application(section: Section, refs: dict[str, int | None], plan: _Plan) -> str:
    """References of one row must all belong to the same application."""
    owners = set()
    for name, target in section.refs:
        old = refs.get(name)
        if old is None:
            continue
        owners.add(old if target == "applications" else plan.application_of[target][old])
    return "" if len(owners) <= 1 else "its references belong to different applications"


def _followup_subjects(refs: dict[str, int | None]) -> list[tuple[str, int]]:
    """The objects a follow-up key names, in order (see reminders.rules: each key is
    ``rule:interview[:interviewer]``, ``rule:interviewer`` or ``rule:application:…``)."""
    if refs.get("interview"):
        subjects = [("interviews", refs["interview"])]
        if refs.get("interviewer"):
            subjects.append(("interviewers", refs["interviewer"]))
        return subjects
    if refs.get("interviewer"):
        return [("interviewers", refs["interviewer"])]
    return [("applications", refs["application"])]


def _followup_problem(instance: FollowUp, refs: dict[str, int | None]) -> str:
    parts = instance.key.split(":")
    subjects = _followup_subjects(refs)
    if parts[0] != instance.rule or len(parts) <= len(subjects) or any(
        parts[index + 1] != str(old) for index, (_, old) in enumerate(subjects)
    ):
        return "key: does not name the follow-up's own rule and objects"
    return ""


def _validate_record(
    section: Section, index: int, raw: Any, plan: _Plan, seen: set[int], report: ImportReport
) -> None:
    where = f"{section.name}[{index}]"
    if not isinstance(raw, dict):
        report.reject(where, "not an object")
        return
    old_id = raw.get("id")
    where += f" (id {old_id})" if _is_id(old_id) else ""
    unknown = sorted(set(raw) - set(section.keys))
    if unknown:
        report.reject(where, f"unknown field{'s' if len(unknown) > 1 else ''}: "
                             f"{', '.join(map(str, unknown))}")
        return
    if not _is_id(old_id) or old_id in seen:
        report.reject(where, "id: missing, not a positive whole number, or repeated")
        return
    refs: dict[str, int | None] = {}
    for name, target in section.refs:
        value = raw.get(name)
        nullable = section.model._meta.get_field(name).null
        if value is None and nullable:
            refs[name] = None
        elif not _is_id(value) or value not in plan.application_of[target]:
            report.reject(where, f"{name}: refers to {target} id {value!r}, "
                                 "which is not in the file")
            return
        else:
            refs[name] = value
    problem = _scalar_problem(section, raw)
    instance = None
    if not problem:
        values = {f.attname: raw[f.name] for f in section.data_fields if f.name in raw}
        if section.model is FollowUp and values.get("status") == LEGACY_CLAIMED:
            values["status"] = Status.PENDING  # its dispatcher is on another server
        instance = section.model(**values)
        problem = _check_instance(section, instance) or _same_application(section, refs, plan)
    if not problem and isinstance(instance, ReceivedMessage):
        instance.safe_html = _sanitised(instance.safe_html)
    if not problem and isinstance(instance, FollowUp):
        problem = _followup_problem(instance, refs)
    if problem:
        report.reject(where, problem)
        return
    seen.add(old_id)
    plan.records[section.name].append(_Record(old_id, instance, refs))
    app = refs.get("application") if section.name != "applications" else old_id
    if app is None and refs.get("interview"):
        app = plan.application_of["interviews"][refs["interview"]]
    plan.application_of[section.name][old_id] = app or 0


def _unique_together_problems(plan: _Plan, report: ImportReport) -> None:
    """What the database would refuse as duplicates, found before writing."""
    checks = (
        ("attendances", ("interview", "interviewer")),
        ("debriefs", ("interview",)),
        ("notes", ("correspondence",)),
    )
    for name, keys in checks:
        seen: set[tuple] = set()
        for record in plan.records[name]:
            value = tuple(record.refs.get(key) for key in keys)
            if None in value:
                continue
            if value in seen:
                report.reject(f"{name} (id {record.old_id})",
                              f"a second row for the same {', '.join(keys)}")
            seen.add(value)
    keys_seen: set[str] = set()
    for record in plan.records["followups"]:
        if record.instance.key in keys_seen:
            report.reject(f"followups (id {record.old_id})", "key: repeated")
        keys_seen.add(record.instance.key)


def _validate_profile(raw: Any, plan: _Plan, report: ImportReport) -> None:
    if raw is None:
        return
    if not isinstance(raw, dict) or set(raw) - set(PROFILE_FIELDS):
        report.reject("profile", f"expected an object with only: {', '.join(PROFILE_FIELDS)}")
        return
    cleaned = {}
    for name, value in raw.items():
        model_field = Candidate._meta.get_field(name)
        try:
            cleaned[name] = model_field.clean(value, None)
        except ValidationError as error:
            report.reject("profile", f"{name}: {' '.join(error.messages)}")
            return
    plan.profile = cleaned


def validate_export(payload: Any, report: ImportReport) -> _Plan | None:
    """Check a parsed export; None (with ``report.error`` set) if it is not one."""
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        report.error = "This is not a Follow-up export (its \"format\" is missing or wrong)."
        return None
    if payload.get("version") != VERSION:
        report.error = f"Only exports of version {VERSION} can be imported."
        return None
    unknown = set(payload) - {"format", "version", "exported_at", "email", "profile",
                              *SECTION_NAMES}
    if unknown:
        report.error = f"Unknown parts in the file: {', '.join(sorted(unknown))}."
        return None
    sections = {name: payload.get(name, []) for name in SECTION_NAMES}
    bad = [name for name, rows in sections.items() if not isinstance(rows, list)]
    if bad:
        report.error = f"These parts must be lists: {', '.join(bad)}."
        return None
    if sum(len(rows) for rows in sections.values()) > IMPORT_MAX_RECORDS:
        report.error = f"The file has more than {IMPORT_MAX_RECORDS:,} records."
        return None
    plan = _Plan(
        records={name: [] for name in SECTION_NAMES},
        application_of={name: {} for name in SECTION_NAMES},
    )
    _validate_profile(payload.get("profile"), plan, report)
    for section in SECTIONS:
        rows = sections[section.name]
        if section.singleton and len(rows) > 1:
            report.reject(section.name, "at most one is allowed")
            continue
        seen: set[int] = set()
        for index, raw in enumerate(rows):
            _validate_record(section, index, raw, plan, seen, report)
    _unique_together_problems(plan, report)
    return plan


def _remap_key(record: _Record, ids: dict[str, dict[int, int]]) -> str:
    parts = record.instance.key.split(":")
    for index, (target, old) in enumerate(_followup_subjects(record.refs)):
        parts[index + 1] = str(ids[target][old])
    return ":".join(parts)


def _prepare(section: Section, record: _Record, owner: Candidate,
             ids: dict[str, dict[int, int]]) -> models.Model:
    instance = record.instance
    if section.owner_field:
        setattr(instance, f"{section.owner_field}_id", owner.pk)
    for name, target in section.refs:
        old = record.refs.get(name)
        setattr(instance, f"{name}_id", None if old is None else ids[target][old])
    if isinstance(instance, FollowUp):
        instance.key = _remap_key(record, ids)
    return instance


def _write(plan: _Plan, owner: Candidate, report: ImportReport) -> None:
    ids: dict[str, dict[int, int]] = {name: {} for name in SECTION_NAMES}
    for section in SECTIONS:
        records = plan.records[section.name]
        instances = [_prepare(section, record, owner, ids) for record in records]
        if section.singleton:
            for instance in instances:  # replaces the account's own settings
                values = {f.attname: getattr(instance, f.attname) for f in section.data_fields}
                section.model._default_manager.update_or_create(
                    **{section.owner_field: owner}, defaults=values
                )
        else:
            created = section.model._default_manager.bulk_create(instances, batch_size=500)
            for record, row in zip(records, created, strict=True):
                ids[section.name][record.old_id] = row.pk
        report.imported[section.name] = len(instances)
    if plan.profile:
        owner.refresh_from_db()
        report.profile_updated = bool(
            interview_services.profile_update(candidate=owner, **plan.profile)
        )


def import_export(*, owner: Candidate, data: bytes) -> ImportReport:
    """Validate a JSON export, then import all of it in one transaction, or nothing."""
    report = ImportReport()
    if len(data) > IMPORT_MAX_BYTES:
        report.error = f"The file is larger than {IMPORT_MAX_BYTES // (1024 * 1024)} MB."
        return report
    try:
        payload = json.loads(data)
    except (ValueError, RecursionError):
        report.error = "The file is not valid JSON (UTF-8)."
        return report
    plan = validate_export(payload, report)
    if plan is None or not report.ok:
        return report
    # bulk_create must hand back the new ids: true of PostgreSQL and SQLite ≥ 3.35.
    assert connection.features.can_return_rows_from_bulk_insert
    try:
        with transaction.atomic():
            _write(plan, owner, report)
    except DatabaseError as error:
        report.imported = {}
        report.profile_updated = False
        report.error = f"The database refused the import, so nothing was written: {error}"
    return report
