"""Fill a database with realistic volume for benchmarks: tens of thousands of organizations,
hundreds of thousands of filings, with their history rows, events, opinions and permissions.

Bulk inserts throughout (history rows through simple-history's ``bulk_create_with_history``); no
per-row signals. Runs on top of the demo data (``seed_demo``), whose divisions and users it uses.
"""

import datetime
import random
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from duties.models import Division, DivisionKind, DivisionMembership, LiaisonAssignment
from orgs.credit_code import make_code
from orgs.models import (
    ManagementMode,
    Organization,
    OrganizationGroupObjectPermission,
    OrganizationUser,
    OrgStatus,
    OrgType,
)
from portal import generations
from reports.models import (
    EventKind,
    Filing,
    FilingEvent,
    FilingState,
    MatterType,
    Opinion,
    OpinionState,
)

MARKER = "（规模测试）"
DEMO_LIMIT = 100  # the demo has about forty organizations
DISTRICTS = [
    "黄浦",
    "徐汇",
    "长宁",
    "静安",
    "普陀",
    "虹口",
    "杨浦",
    "浦东",
    "闵行",
    "宝山",
    "嘉定",
    "金山",
    "松江",
    "青浦",
    "奉贤",
    "崇明",
]
FIELDS = [
    "园林绿化",
    "市容环境",
    "环境卫生",
    "垃圾分类",
    "林业",
    "湿地保护",
    "花卉园艺",
    "景观照明",
    "户外广告",
    "野生动物保护",
    "古树名木",
    "绿色社区",
    "再生资源",
    "城市景观",
]
KINDS = [
    ("行业协会", OrgType.INDUSTRY_ASSOCIATION),
    ("学会", OrgType.SOCIETY),
    ("促进会", OrgType.SOCIAL_GROUP),
    ("研究会", OrgType.SOCIAL_GROUP),
    ("服务中心", OrgType.PRIVATE_NON_ENTERPRISE),
    ("研究院", OrgType.PRIVATE_NON_ENTERPRISE),
    ("公益基金会", OrgType.FOUNDATION),
]
TYPE_DIGIT = {
    OrgType.SOCIAL_GROUP: "1",
    OrgType.INDUSTRY_ASSOCIATION: "1",
    OrgType.SOCIETY: "1",
    OrgType.PRIVATE_NON_ENTERPRISE: "2",
    OrgType.FOUNDATION: "3",
}
STATE_WEIGHTS = [
    (FilingState.DRAFT, 5),
    (FilingState.SUBMITTED, 12),
    (FilingState.IN_REVIEW, 10),
    (FilingState.RETURNED, 4),
    (FilingState.RESUBMITTED, 3),
    (FilingState.APPROVED, 18),
    (FilingState.ACKNOWLEDGED, 33),
    (FilingState.REFUSED, 8),
    (FilingState.WITHDRAWN, 7),
]
RECENT_DAYS = 120  # filings younger than this may still be open
OPEN = {FilingState.SUBMITTED, FilingState.IN_REVIEW, FilingState.RESUBMITTED}


class Command(BaseCommand):
    help = "Fill the database with volume data for benchmarks (on top of seed_demo's data)."

    def add_arguments(self, parser):
        parser.add_argument("--orgs", type=int, default=20000)
        parser.add_argument("--filings", type=int, default=500000)
        parser.add_argument("--users", type=int, default=3000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--force", action="store_true", help="run even though the database holds other data"
        )
        parser.add_argument(
            "--if-absent",
            action="store_true",
            help="do nothing (and succeed) if volume data is already there",
        )

    def log(self, message):
        self.stdout.write(f"[{time.monotonic() - self.t0:7.1f}s] {message}")
        self.stdout.flush()

    def handle(self, *args, orgs, filings, users, seed, force, if_absent, **options):
        self.t0 = time.monotonic()
        if Organization.objects.filter(name__endswith=MARKER).exists():
            if if_absent:
                self.stdout.write("Volume data is already present.")
                return
            raise CommandError("Volume data is already present.")
        if not force:
            if Organization.objects.count() > DEMO_LIMIT:
                raise CommandError("The database holds real data; use --force to add volume.")
            if not get_user_model().objects.filter(username="admin").exists():
                raise CommandError("Run seed_demo first: the volume uses its divisions and users.")
        self.rng = random.Random(seed)
        with transaction.atomic():
            org_ids = self.make_orgs(orgs)
            self.make_users(users, org_ids)
            self.make_filings(filings, org_ids)
            # Bulk inserts send no model signals: retire what reads the tables they filled.
            generations.bump_models(
                Organization,
                LiaisonAssignment,
                OrganizationGroupObjectPermission,
                get_user_model(),
                DivisionMembership,
                get_user_model().groups.through,
                OrganizationUser,
                Filing,
                FilingEvent,
                Opinion,
            )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.log(f"done: {orgs} organizations, {filings} filings, {users} users")

    # --- organizations ---------------------------------------------------------------------

    def make_orgs(self, n):
        rng = self.rng
        admin = get_user_model().objects.get(username="admin")
        liaison = list(Division.objects.filter(kind=DivisionKind.LIAISON, is_active=True))
        today = timezone.localdate()
        modes = [ManagementMode.DUAL] * 5 + [ManagementMode.DIRECT] * 4 + [ManagementMode.REFERENCE]
        statuses = (
            [OrgStatus.ACTIVE] * 90
            + [OrgStatus.PREPARING] * 3
            + [OrgStatus.DEREGISTERED] * 5
            + [OrgStatus.REVOKED] * 2
        )
        objs = []
        for i in range(n):
            suffix, org_type = rng.choice(KINDS)
            name = f"上海市{rng.choice(DISTRICTS)}区{rng.choice(FIELDS)}{suffix}{i:05d}{MARKER}"
            term_start = today - datetime.timedelta(days=rng.randint(0, 1800))
            objs.append(
                Organization(
                    name=name,
                    credit_code=make_code(
                        f"5{TYPE_DIGIT[org_type]}31{rng.randint(0, 9999):04d}W{i:08d}"
                    ),
                    org_type=org_type,
                    management_mode=rng.choice(modes),
                    status=rng.choice(statuses),
                    registered_on=today - datetime.timedelta(days=rng.randint(200, 9000)),
                    domicile=f"上海市{rng.choice(DISTRICTS)}区某路{rng.randint(1, 999)}号",
                    legal_representative="张三",
                    contact_name="李四",
                    contact_phone=f"021-{rng.randint(50000000, 69999999)}",
                    term_start=term_start,
                    term_end=term_start + datetime.timedelta(days=5 * 365),
                    certificate_valid_until=today + datetime.timedelta(days=rng.randint(-30, 1800)),
                    grade=rng.choice(["", "", "3A", "4A", "5A"]),
                    liaison_division=rng.choice(liaison) if rng.random() < 0.97 else None,
                    work_areas=[],
                )
            )
        for obj in objs:
            if obj.grade:
                obj.grade_valid_until = today + datetime.timedelta(days=rng.randint(30, 1800))
        bulk_create_with_history(
            objs, Organization, batch_size=2000, default_user=admin, default_change_reason="volume"
        )
        created = list(
            Organization.objects.filter(name__endswith=MARKER).values_list(
                "pk", "liaison_division_id"
            )
        )
        self.log(f"{len(created)} organizations (with history rows)")
        now = timezone.now()
        LiaisonAssignment.objects.bulk_create(
            [
                LiaisonAssignment(
                    organization_id=pk,
                    division_id=div,
                    started_at=now,
                    reason="规模测试数据",
                    assigned_by=admin,
                )
                for pk, div in created
                if div
            ],
            batch_size=5000,
        )
        perms = list(
            Permission.objects.filter(
                content_type__app_label="orgs",
                codename__in=["view_organization", "supervise_organization"],
            )
        )
        groups = {d.pk: d.group_id for d in liaison}
        OrganizationGroupObjectPermission.objects.bulk_create(
            [
                OrganizationGroupObjectPermission(
                    content_object_id=pk, group_id=groups[div], permission=perm
                )
                for pk, div in created
                if div
                for perm in perms
            ],
            batch_size=5000,
        )
        self.log("liaison assignments and object permissions")
        return created

    # --- users -----------------------------------------------------------------------------

    def make_users(self, n, org_ids):
        rng = self.rng
        User = get_user_model()
        password = make_password("demo-pass-2026")
        staff_n = max(1, n // 15)
        users = [
            User(username=f"vol-staff-{i:04d}", password=password, full_name=f"工作人员{i}")
            for i in range(staff_n)
        ]
        users += [
            User(username=f"vol-org-{i:05d}", password=password, full_name=f"联络员{i}")
            for i in range(n - staff_n)
        ]
        User.objects.bulk_create(users, batch_size=2000)
        created = dict(
            User.objects.filter(username__startswith="vol-").values_list("username", "pk")
        )
        divisions = list(Division.objects.filter(is_active=True))
        memberships = []
        group_rows = []
        Through = User.groups.through
        for i in range(staff_n):
            division = rng.choice(divisions)
            uid = created[f"vol-staff-{i:04d}"]
            memberships.append(
                DivisionMembership(
                    division=division, user_id=uid, role="head" if i % 10 == 0 else "staff"
                )
            )
            group_rows.append(Through(user_id=uid, group_id=division.group_id))
        DivisionMembership.objects.bulk_create(memberships, batch_size=2000)
        Through.objects.bulk_create(group_rows, batch_size=2000)
        links = []
        for i, (org_id, _div) in enumerate(org_ids[: n - staff_n]):
            links.append(
                OrganizationUser(
                    user_id=created[f"vol-org-{i:05d}"], organization_id=org_id, position="联络员"
                )
            )
        OrganizationUser.objects.bulk_create(links, batch_size=2000)
        self.log(f"{len(created)} users ({staff_n} bureau staff)")

    # --- filings ---------------------------------------------------------------------------

    def make_filings(self, n, org_ids):
        rng = self.rng
        admin = get_user_model().objects.get(username="admin")
        matters = list(
            MatterType.objects.filter(is_active=True).prefetch_related("opinion_divisions")
        )
        org_matters = [m for m in matters if m.org_submits and not m.management_modes]
        weights = [8 if m.code == "major_matter" else 2 for m in org_matters]
        states, state_weights = zip(*STATE_WEIGHTS, strict=True)
        creators = dict(OrganizationUser.objects.values_list("organization_id", "user_id"))
        today = timezone.localdate()
        now = timezone.now()
        recent = now - datetime.timedelta(days=RECENT_DAYS)
        final_states, final_weights = zip(
            *[(st, w) for st, w in STATE_WEIGHTS if st not in OPEN | {FilingState.RETURNED}],
            strict=True,
        )
        batch = 20000
        done = 0
        while done < n:
            size = min(batch, n - done)
            objs = []
            for _i in range(size):
                org_id, div_id = rng.choice(org_ids)
                matter = rng.choices(org_matters, weights)[0]
                created = now - datetime.timedelta(
                    days=rng.randint(0, 1100), seconds=rng.randint(0, 86400)
                )
                # Older filings have long been decided or withdrawn; the open ones are recent.
                if created < recent:
                    state = rng.choices(final_states, final_weights)[0]
                else:
                    state = rng.choices(states, state_weights)[0]
                lead = div_id if matter.lead_is_liaison else matter.lead_division_id
                event_start = created.date() + datetime.timedelta(days=rng.randint(-5, 40))
                f = Filing(
                    organization_id=org_id,
                    matter=matter,
                    state=state,
                    title=f"{matter.name_zh}（{created:%Y年%m月}）",
                    details={"description": "规模测试"},
                    event_start=event_start,
                    lead_division_id=lead,
                    restricted=matter.restricted,
                    created_by_id=creators.get(org_id, admin.pk),
                    created_at=created,
                    state_changed_at=created,
                )
                if state != FilingState.DRAFT:
                    f.first_submitted_at = f.submitted_at = created
                if state in OPEN or state == FilingState.RETURNED:
                    f.review_due_on = today + datetime.timedelta(days=rng.randint(-20, 25))
                if state not in (FilingState.DRAFT,) and rng.random() < 0.08:
                    f.late_days = rng.randint(1, 8)
                if state in (FilingState.APPROVED, FilingState.ACKNOWLEDGED, FilingState.REFUSED):
                    f.decided_at = created + datetime.timedelta(days=rng.randint(1, 20))
                    f.decided_by = admin
                objs.append(f)
            created_objs = bulk_create_with_history(
                objs, Filing, batch_size=5000, default_user=admin, default_change_reason="volume"
            )
            if not created_objs or created_objs[0].pk is None:
                created_objs = list(Filing.objects.order_by("-pk")[:size])[::-1]
            events, opinions = [], []
            for f in created_objs:
                events.append(
                    FilingEvent(
                        filing_id=f.pk,
                        kind=EventKind.TRANSITION,
                        action="create",
                        to_state="draft",
                        actor_id=f.created_by_id,
                        created_at=f.created_at,
                    )
                )
                if f.state != FilingState.DRAFT:
                    events.append(
                        FilingEvent(
                            filing_id=f.pk,
                            kind=EventKind.TRANSITION,
                            action="submit",
                            from_state="draft",
                            to_state="submitted",
                            actor_id=f.created_by_id,
                            created_at=f.created_at,
                        )
                    )
                if f.state == FilingState.IN_REVIEW:
                    for division in f.matter.opinion_divisions.all():
                        opinions.append(
                            Opinion(filing_id=f.pk, division=division, state=OpinionState.PENDING)
                        )
            FilingEvent.objects.bulk_create(events, batch_size=5000)
            Opinion.objects.bulk_create(opinions, batch_size=5000)
            done += size
            self.log(f"{done} filings (with history rows, events and opinions)")
