"""Demo filings in every state, written through the workflow services like real use."""

import datetime

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from orgs import services as org_services

from . import services
from .models import MatterType

# A minimal valid PDF, so that the demo's attachments open.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _u(username):
    return get_user_model().objects.get(username=username)


def _major(title, start, days=1, category="major_activity", participants=300, where="上海展览中心"):
    return {
        "title": title,
        "event_start": start,
        "event_end": start + datetime.timedelta(days=days),
        "details": {
            "category": category,
            "description": f"{title}，邀请行业企业、专家学者和市民代表参加。",
            "location": where,
            "participants": participants,
            "foreign_involved": False,
            "foreign_details": "",
            "funding_source": "协会会费及会员单位赞助",
            "contact_person": "钱晓红",
            "contact_phone": "021-62001234",
        },
    }


def _v(filing):
    """The version as stored now: each step of the demo acts on what the previous one left."""
    return type(filing).objects.values_list("version", flat=True).get(pk=filing.pk)


def _create(actor, org, code, data):
    matter = MatterType.objects.get(code=code)
    return services.filing_create(actor=actor, organization=org, matter=matter, **data)


def _submit(actor, filing):
    return services.filing_submit(actor=actor, filing=filing, expected_version=_v(filing))


def seed_demo_filings(*, orgs):
    today = timezone.localdate()
    d = datetime.timedelta
    org_a, org_b, org_c = orgs[0], orgs[8], orgs[16]
    a1, b1, c1 = _u("org-a1"), _u("org-b1"), _u("org-c1")
    la, la_head, lb, lb_head = (
        _u("liaison-a"),
        _u("liaison-a-head"),
        _u("liaison-b"),
        _u("liaison-b-head"),
    )
    office, policy, policy_head = _u("office"), _u("policy"), _u("policy-head")
    discipline = _u("discipline")

    # org-a1: one filing in each state of a major matter report's life.
    _create(a1, org_a, "major_matter", _major("2027年上海国际花展志愿者招募活动", today + d(40)))

    f = _submit(
        a1, _create(a1, org_a, "major_matter", _major("第十届园林绿化行业技能竞赛", today + d(5)))
    )

    f = _submit(
        a1, _create(a1, org_a, "major_matter", _major("城市绿道建设成果发布会", today + d(30)))
    )
    f = services.filing_start_review(actor=la, filing=f, expected_version=_v(f))
    services.filing_comment(
        actor=la, filing=f, body="发布内容涉及规划数据，请核实数据来源。", internal=True
    )
    services.filing_comment(actor=la, filing=f, body="请补充发布会议程及拟邀媒体名单。")

    f = _submit(
        a1, _create(a1, org_a, "major_matter", _major("行业年度峰会暨会员大会", today + d(25)))
    )
    f = services.filing_return(
        actor=la,
        filing=f,
        expected_version=_v(f),
        comment="请补充活动经费预算明细和安全保障方案后重新提交。",
    )

    f = _submit(
        a1, _create(a1, org_a, "major_matter", _major("古树名木保护科普进社区", today + d(20)))
    )
    f = services.filing_start_review(actor=la, filing=f, expected_version=_v(f))
    services.opinion_give(actor=office, filing=f, stance="no_objection", body="无不同意见。")
    f = services.filing_decide(
        actor=la_head,
        filing=f,
        expected_version=_v(f),
        positive=True,
        comment="同意备案。活动结束后10个工作日内报送书面总结。",
    )

    f = _create(
        a1,
        org_a,
        "annual_inspection",
        {
            "title": f"{today.year - 1}年度年检初审",
            "details": {
                "year": today.year - 1,
                "summary": "全年举办培训12场、标准宣贯4次。",
                "finances": "收入326万元，支出301万元，净资产512万元。",
            },
        },
    )
    services.attachment_add(actor=a1, filing=f, upload=ContentFile(DEMO_PDF, name="年检报告.pdf"))
    _submit(a1, f)

    f = _create(
        a1,
        org_a,
        "work_plan",
        {
            "title": f"{today.year + 1}年度工作计划",
            "details": {
                "year": today.year + 1,
                "plan": "一、加强行业自律；二、开展技能培训；三、推进标准建设。",
            },
        },
    )
    services.filing_withdraw(
        actor=a1, filing=f, expected_version=_v(f), comment="内容需调整，暂缓报送。"
    )

    # org-b1: approved term renewal, refused report, one in review.
    f = _submit(
        b1,
        _create(
            b1,
            org_b,
            "term_renewal",
            {
                "title": "第五届理事会换届",
                "event_start": today + d(90),
                "details": {
                    "kind": "term_renewal",
                    "items": "理事会任期届满，拟召开会员大会选举产生第五届理事会。",
                    "candidates": "会长候选人：孔德明",
                    "new_term_start": (today + d(90)).isoformat(),
                    "new_term_end": (today + d(90 + 5 * 365)).isoformat(),
                    "new_legal_representative": "孔德明",
                    "new_leaders": "会长：孔德明\n副会长：周立新、陈思远\n秘书长：邵静",
                },
            },
        ),
    )
    f = services.filing_start_review(actor=policy, filing=f, expected_version=_v(f))
    services.opinion_give(actor=lb, filing=f, stance="agree", body="同意换届方案。")
    services.filing_decide(actor=policy_head, filing=f, expected_version=_v(f), positive=True)

    # org-b1: a grade evaluation approved, so the registry's grade comes from the filing (its
    # last annual inspection passed, so it may apply).
    org_services.inspection_record(
        actor=policy_head, org=org_b, year=today.year - 1, result="pass", filing=None, on=today
    )
    f = _submit(
        b1,
        _create(
            b1,
            org_b,
            "grade_dereg",
            {
                "title": "申请社会组织等级评估（4A）",
                "details": {
                    "kind": "grade",
                    "grade_sought": "4A",
                    "reasons": "近三年年检合格，内部治理规范，行业服务成效明显。",
                },
            },
        ),
    )
    f = services.filing_start_review(actor=policy, filing=f, expected_version=_v(f))
    services.opinion_give(actor=lb, filing=f, stance="agree", body="同意推荐参加等级评估。")
    services.filing_decide(
        actor=policy_head,
        filing=f,
        expected_version=_v(f),
        positive=True,
        comment="同意，等级评估结果记入登记信息。",
    )

    f = _submit(
        b1, _create(b1, org_b, "major_matter", _major("户外广告设施安全评比", today + d(12)))
    )
    f = services.filing_start_review(actor=lb, filing=f, expected_version=_v(f))
    services.opinion_give(actor=office, filing=f, stance="disagree", body="评比活动未按规定报批。")
    services.filing_decide(
        actor=lb_head,
        filing=f,
        expected_version=_v(f),
        positive=False,
        comment="评比表彰活动须另行按规定报批，本次报告不予备案。",
    )

    f = _submit(
        b1, _create(b1, org_b, "major_matter", _major("城市景观灯光秀专家研讨会", today + d(18)))
    )
    services.filing_start_review(actor=lb, filing=f, expected_version=_v(f))

    # org-c1: a restricted matter and a resubmitted one.
    _submit(
        c1,
        _create(
            c1,
            org_c,
            "seminar_foreign",
            {
                "title": "与新加坡环境卫生协会交流访问",
                "event_start": today + d(45),
                "details": {
                    "kind": "foreign_exchange",
                    "description": "代表团一行6人赴新加坡考察垃圾分类。",
                    "foreign_parties": "新加坡环境卫生协会",
                },
            },
        ),
    )
    f = _submit(
        c1, _create(c1, org_c, "major_matter", _major("垃圾分类示范社区评选", today + d(35)))
    )
    f = services.filing_return(
        actor=_u("liaison-c"), filing=f, expected_version=_v(f), comment="请说明评选标准。"
    )
    services.filing_resubmit(actor=c1, filing=f, expected_version=_v(f), comment="已补充评选标准。")

    # Staff-filed matters.
    _submit(
        discipline,
        _create(
            discipline,
            org_b,
            "violation",
            {
                "title": "违规收取会员费整改",
                "event_start": today - d(3),
                "event_end": today + d(30),
                "details": {
                    "description": "超标准收取会员费。",
                    "basis": "《社会团体登记管理条例》",
                    "rectification": "退还多收费用并修订会费标准。",
                },
            },
        ),
    )
    _submit(
        office,
        _create(
            office,
            org_a,
            "petition",
            {
                "title": "市民反映协会培训收费问题",
                "event_start": today - d(1),
                "details": {
                    "petitioner": "市民张先生",
                    "channel": "12345市民服务热线",
                    "content": "反映培训收费偏高。",
                },
            },
        ),
    )
