"""Demo data: the bureau's divisions, about forty organizations and one login per role.

Everything is written through the services, so the demo has the same history rows and object
permissions as real use. All demo users share the password ``demo-pass-2026``.
"""

import datetime
import random

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from duties import services as duty_services
from duties.models import DivisionKind, MemberRole
from orgs import services as org_services
from orgs.credit_code import make_code
from orgs.models import ManagementMode, Organization, OrgStatus, OrgType, PartyOrgType, WorkArea
from portal import demo
from portal import services as portal_services
from portal.clock import run as run_reminders
from reports.demo import seed_demo_filings
from reports.matrix import install_default_matrix

PASSWORD = "demo-pass-2026"

DIVISIONS = [
    (
        "政策法规处（研究室）",
        DivisionKind.POLICY,
        "牵头局管社会组织综合监管；登记前置审查；登记、换届、变更、年检初审；季度例会。",
    ),
    (
        "办公室（信访办）",
        DivisionKind.OFFICE,
        "以局名义主办、协办、支持的重大活动及邀请局领导出席的审核；研讨会、论坛、对外交往、境外捐赠资助监督；行业信访。",
    ),
    (
        "组织人事处",
        DivisionKind.PERSONNEL,
        "党建工作指导；局系统干部兼职报批；八项规定执行情况监督检查；以局名义评比表彰推荐。",
    ),
    ("财务管理处", DivisionKind.FINANCE, "财务指导；政府购买服务项目资金监管；审计安排。"),
    ("直属单位纪委", DivisionKind.DISCIPLINE, "督促整改；会同民政部门查处违法违规行为。"),
    ("绿化管理处", DivisionKind.LIAISON, "归口联系绿化、园林类社会组织。"),
    ("市容景观管理处", DivisionKind.LIAISON, "归口联系市容景观、户外广告类社会组织。"),
    ("环境卫生管理处", DivisionKind.LIAISON, "归口联系环境卫生、垃圾分类类社会组织。"),
    ("林业和野生动植物保护处", DivisionKind.LIAISON, "归口联系林业、野生动植物保护类社会组织。"),
]

# (username, full name, division index or None, role, flags)
USERS = [
    ("admin", "系统管理员", None, None, {"is_bureau_admin": True}),
    ("leader", "王建国", None, None, {"is_leader": True}),
    ("policy", "李敏", 0, MemberRole.STAFF, {}),
    ("policy-head", "张伟", 0, MemberRole.HEAD, {}),
    ("office", "陈静", 1, MemberRole.STAFF, {}),
    ("office-head", "林海", 1, MemberRole.HEAD, {}),
    ("personnel", "刘洋", 2, MemberRole.STAFF, {}),
    ("personnel-head", "高峰", 2, MemberRole.HEAD, {}),
    ("finance", "赵丽", 3, MemberRole.STAFF, {}),
    ("finance-head", "马兰", 3, MemberRole.HEAD, {}),
    ("discipline", "孙强", 4, MemberRole.STAFF, {}),
    ("discipline-head", "朱正", 4, MemberRole.HEAD, {}),
    ("liaison-a", "周文", 5, MemberRole.STAFF, {}),
    ("liaison-a-head", "吴刚", 5, MemberRole.HEAD, {}),
    ("liaison-b", "郑红", 6, MemberRole.STAFF, {}),
    ("liaison-b-head", "冯军", 6, MemberRole.HEAD, {}),
    ("liaison-c", "何平", 7, MemberRole.STAFF, {}),
    ("liaison-d", "许诺", 8, MemberRole.STAFF, {}),
]

# (name, type, mode, liaison division index, work areas)
ORGS = [
    (
        "上海市绿化和园林行业协会",
        OrgType.INDUSTRY_ASSOCIATION,
        ManagementMode.DIRECT,
        5,
        ["greening"],
    ),
    ("上海市风景园林学会", OrgType.SOCIETY, ManagementMode.DUAL, 5, ["greening", "standards"]),
    (
        "上海市园林绿化工程质量安全协会",
        OrgType.INDUSTRY_ASSOCIATION,
        ManagementMode.DIRECT,
        5,
        ["greening"],
    ),
    ("上海市花卉协会", OrgType.SOCIAL_GROUP, ManagementMode.DUAL, 5, ["greening"]),
    ("上海市盆景赏石协会", OrgType.SOCIAL_GROUP, ManagementMode.DUAL, 5, ["greening"]),
    (
        "上海市公园绿地服务中心",
        OrgType.PRIVATE_NON_ENTERPRISE,
        ManagementMode.REFERENCE,
        5,
        ["greening"],
    ),
    (
        "上海市屋顶绿化技术研究院",
        OrgType.PRIVATE_NON_ENTERPRISE,
        ManagementMode.DIRECT,
        5,
        ["greening", "standards"],
    ),
    ("上海市绿化公益基金会", OrgType.FOUNDATION, ManagementMode.DUAL, 5, ["greening"]),
    (
        "上海市城市景观协会",
        OrgType.INDUSTRY_ASSOCIATION,
        ManagementMode.DIRECT,
        6,
        ["city_appearance"],
    ),
    (
        "上海市户外广告设施协会",
        OrgType.INDUSTRY_ASSOCIATION,
        ManagementMode.DIRECT,
        6,
        ["city_appearance"],
    ),
    (
        "上海市景观照明协会",
        OrgType.INDUSTRY_ASSOCIATION,
        ManagementMode.DUAL,
        6,
        ["city_appearance", "standards"],
    ),
    ("上海市城市容貌研究会", OrgType.SOCIETY, ManagementMode.DUAL, 6, ["city_appearance"]),
    (
        "上海市街面秩序促进中心",
        OrgType.PRIVATE_NON_ENTERPRISE,
        ManagementMode.DIRECT,
        6,
        ["city_appearance"],
    ),
    (
        "上海市市容环境志愿服务中心",
        OrgType.PRIVATE_NON_ENTERPRISE,
        ManagementMode.REFERENCE,
        6,
        ["city_appearance"],
    ),
    ("上海市美丽街区发展基金会", OrgType.FOUNDATION, ManagementMode.DUAL, 6, ["city_appearance"]),
    ("上海市招牌设计协会", OrgType.SOCIAL_GROUP, ManagementMode.DIRECT, 6, ["city_appearance"]),
    (
        "上海市环境卫生行业协会",
        OrgType.INDUSTRY_ASSOCIATION,
        ManagementMode.DIRECT,
        7,
        ["waste_sorting", "city_appearance"],
    ),
    ("上海市垃圾分类促进会", OrgType.SOCIAL_GROUP, ManagementMode.DUAL, 7, ["waste_sorting"]),
    (
        "上海市再生资源回收利用行业协会",
        OrgType.INDUSTRY_ASSOCIATION,
        ManagementMode.DIRECT,
        7,
        ["waste_sorting"],
    ),
    ("上海市环境卫生学会", OrgType.SOCIETY, ManagementMode.DUAL, 7, ["waste_sorting", "standards"]),
    (
        "上海市湿垃圾资源化技术中心",
        OrgType.PRIVATE_NON_ENTERPRISE,
        ManagementMode.DIRECT,
        7,
        ["waste_sorting"],
    ),
    (
        "上海市公共厕所管理服务中心",
        OrgType.PRIVATE_NON_ENTERPRISE,
        ManagementMode.REFERENCE,
        7,
        ["city_appearance"],
    ),
    ("上海市绿色环保公益基金会", OrgType.FOUNDATION, ManagementMode.DUAL, 7, ["waste_sorting"]),
    (
        "上海市环卫作业企业协会",
        OrgType.INDUSTRY_ASSOCIATION,
        ManagementMode.DIRECT,
        7,
        ["waste_sorting"],
    ),
    ("上海市林学会", OrgType.SOCIETY, ManagementMode.DUAL, 8, ["forestry", "standards"]),
    ("上海市林业协会", OrgType.INDUSTRY_ASSOCIATION, ManagementMode.DIRECT, 8, ["forestry"]),
    ("上海市野生动植物保护协会", OrgType.SOCIAL_GROUP, ManagementMode.DUAL, 8, ["wildlife"]),
    ("上海市湿地保护协会", OrgType.SOCIAL_GROUP, ManagementMode.DUAL, 8, ["wildlife", "forestry"]),
    (
        "上海市古树名木保护研究中心",
        OrgType.PRIVATE_NON_ENTERPRISE,
        ManagementMode.DIRECT,
        8,
        ["forestry"],
    ),
    (
        "上海市森林防火服务中心",
        OrgType.PRIVATE_NON_ENTERPRISE,
        ManagementMode.REFERENCE,
        8,
        ["forestry"],
    ),
    ("上海市野生动物救护基金会", OrgType.FOUNDATION, ManagementMode.DUAL, 8, ["wildlife"]),
    ("上海市观鸟协会", OrgType.SOCIAL_GROUP, ManagementMode.DIRECT, 8, ["wildlife"]),
    (
        "上海市苗木产业协会",
        OrgType.INDUSTRY_ASSOCIATION,
        ManagementMode.DIRECT,
        8,
        ["forestry", "greening"],
    ),
    ("上海市绿化市容标准化研究会", OrgType.SOCIETY, ManagementMode.DUAL, 5, ["standards"]),
    (
        "上海市绿化市容预算定额研究中心",
        OrgType.PRIVATE_NON_ENTERPRISE,
        ManagementMode.REFERENCE,
        6,
        ["standards"],
    ),
    ("上海市立体绿化专业委员会", OrgType.SOCIAL_GROUP, ManagementMode.DIRECT, 5, ["greening"]),
    ("上海市园艺爱好者协会", OrgType.SOCIAL_GROUP, ManagementMode.DUAL, None, ["greening"]),
    ("上海市城市森林研究会", OrgType.SOCIETY, ManagementMode.DUAL, None, ["forestry"]),
    (
        "上海市绿色社区促进中心",
        OrgType.PRIVATE_NON_ENTERPRISE,
        ManagementMode.DIRECT,
        None,
        ["waste_sorting"],
    ),
    (
        "上海市景观水体保洁协会",
        OrgType.INDUSTRY_ASSOCIATION,
        ManagementMode.DIRECT,
        7,
        ["city_appearance"],
    ),
]

TYPE_DIGIT = {
    OrgType.SOCIAL_GROUP: "1",
    OrgType.INDUSTRY_ASSOCIATION: "1",
    OrgType.SOCIETY: "1",
    OrgType.PRIVATE_NON_ENTERPRISE: "2",
    OrgType.FOUNDATION: "3",
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = [
    "建华",
    "志强",
    "秀英",
    "丽娟",
    "海涛",
    "文静",
    "国平",
    "晓明",
    "春梅",
    "永红",
    "德林",
    "佳怡",
]
DISTRICTS = [
    "黄浦区",
    "徐汇区",
    "长宁区",
    "静安区",
    "普陀区",
    "虹口区",
    "杨浦区",
    "浦东新区",
    "闵行区",
]
STREETS = [
    "南京西路",
    "肇嘉浜路",
    "延安西路",
    "胶州路",
    "曹杨路",
    "四川北路",
    "国定路",
    "世纪大道",
    "虹梅路",
]


class Command(BaseCommand):
    help = "Load demo divisions, organizations and users (one per role, password demo-pass-2026)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="run even when DEBUG is off")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (and succeed) when the database already holds organizations or users",
        )

    def handle(self, *args, force=False, if_empty=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like production. Use --force to seed anyway."
            )
        User = get_user_model()
        if User.objects.exists() or Organization.objects.exists():
            if if_empty:
                self.stdout.write("Database already holds data; demo data not loaded.")
                return
            raise CommandError("The database already holds data; seed_demo fills an empty one.")
        with transaction.atomic():
            self._seed()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data loaded. Every demo user's password is {PASSWORD}.")
        )

    def _seed(self):
        rng = random.Random(2026)
        User = get_user_model()
        admin = User.objects.create_superuser(
            "admin", "admin@example.gov.cn", PASSWORD, full_name="系统管理员", is_bureau_admin=True
        )
        divisions = [
            duty_services.division_create(actor=admin, name=name, kind=kind, description=desc)
            for name, kind, desc in DIVISIONS
        ]
        for username, full_name, div_index, role, flags in USERS[1:]:
            user = portal_services.user_create(
                actor=admin,
                username=username,
                password=PASSWORD,
                full_name=full_name,
                email=f"{username}@example.gov.cn",
                **flags,
            )
            if div_index is not None:
                duty_services.membership_add(
                    actor=admin, division=divisions[div_index], user=user, role=role
                )

        today = timezone.localdate()
        orgs = []
        for i, (name, org_type, mode, div_index, areas) in enumerate(ORGS):
            registered = today - datetime.timedelta(days=rng.randint(400, 9000))
            term_start = today - datetime.timedelta(days=rng.randint(30, 1700))
            term_end = term_start + datetime.timedelta(days=5 * 365)
            status = OrgStatus.ACTIVE
            if i == len(ORGS) - 2:
                status = OrgStatus.PREPARING
            if i == 15:
                status = OrgStatus.DEREGISTERED
            legal_rep = rng.choice(SURNAMES) + rng.choice(GIVEN)
            contact = rng.choice(SURNAMES) + rng.choice(GIVEN)
            district = rng.choice(DISTRICTS)
            address = f"上海市{district}{rng.choice(STREETS)}{rng.randint(1, 999)}号"
            grade = rng.choice(["", "3A", "4A", "5A"])
            org = org_services.org_create(
                actor=admin,
                credit_code_raw=make_code(
                    f"5{TYPE_DIGIT[org_type]}310000MJ{i:02d}{rng.randint(10000, 99999)}"
                ),
                name=name,
                org_type=org_type,
                management_mode=mode,
                status=status,
                registration_authority="上海市民政局",
                registered_on=registered,
                domicile=address,
                legal_representative=legal_rep,
                legal_rep_is_cadre=mode == ManagementMode.REFERENCE,
                charter_approved_on=registered,
                term_start=term_start,
                term_end=term_end,
                certificate_valid_until=today + datetime.timedelta(days=rng.randint(20, 1500)),
                grade=grade,
                grade_valid_until=(today + datetime.timedelta(days=rng.randint(60, 1500)))
                if grade
                else None,
                party_org_type=rng.choice(list(PartyOrgType.values)),
                party_instructor=rng.choice(SURNAMES) + rng.choice(GIVEN),
                party_worker="",
                work_areas=[WorkArea(a).value for a in areas],
                contact_name=contact,
                contact_phone=f"021-{rng.randint(5000, 6999)}{rng.randint(1000, 9999)}",
                contact_email=f"office{i + 1:02d}@example.org.cn",
                secondary_contact_name="",
                secondary_contact_phone="",
                office_address=address,
                postal_code=f"200{rng.randint(0, 999):03d}",
                website="",
            )
            if div_index is not None:
                duty_services.org_assign_liaison(
                    actor=admin,
                    org=org,
                    division=divisions[div_index],
                    reason="按业务领域确定归口联系处室",
                )
            orgs.append(org)

        # One organization changed hands, so that a profile shows a real assignment history.
        duty_services.org_assign_liaison(
            actor=admin,
            org=orgs[34],
            division=divisions[5],
            reason="预算定额研究工作与园林绿化定额合并，调整至绿化管理处归口",
        )
        org_services.org_user_create(
            actor=admin,
            org=orgs[0],
            username="org-a1",
            password=PASSWORD,
            full_name="钱晓红",
            email="org-a1@example.org.cn",
            position="秘书长",
        )
        org_services.org_user_create(
            actor=admin,
            org=orgs[8],
            username="org-b1",
            password=PASSWORD,
            full_name="孔德明",
            email="org-b1@example.org.cn",
            position="办公室主任",
        )
        org_services.org_user_create(
            actor=admin,
            org=orgs[16],
            username="org-c1",
            password=PASSWORD,
            full_name="严立新",
            email="org-c1@example.org.cn",
            position="秘书长",
        )
        install_default_matrix(actor=admin)
        seed_demo_filings(orgs=orgs)
        demo.seed_registered()  # the other apps' demo data: meetings
        # One cycle of the clock, so that invitations and due reminders are in the inboxes.
        run_reminders()
