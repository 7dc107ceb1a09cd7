"""Demo meetings: this quarter's quarterly meeting ahead, last quarter's held with minutes."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from duties.models import Division, DivisionKind
from orgs.models import Organization

from . import services
from .models import MeetingKind


def _at(day, hour):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def seed_demo_meetings():
    User = get_user_model()
    policy = User.objects.get(username="policy")
    leader = User.objects.get(username="leader")
    today = timezone.localdate()
    this_quarter = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    next_quarter = (this_quarter + datetime.timedelta(days=100)).replace(day=1)
    next_quarter = datetime.date(next_quarter.year, 3 * ((next_quarter.month - 1) // 3) + 1, 1)
    day = min(today + datetime.timedelta(days=6), next_quarter - datetime.timedelta(days=1))
    if day <= today:
        day = today
    divisions = Division.objects.exclude(kind=DivisionKind.LIAISON)
    last_quarter_day = this_quarter - datetime.timedelta(days=40)
    year, quarter = services.quarter_of(_at(last_quarter_day, 14))
    held = services.meeting_schedule(
        actor=policy,
        kind=MeetingKind.QUARTERLY,
        title=f"{year}年第{quarter}季度局管社会组织例会",
        starts_at=_at(last_quarter_day, 14),
        ends_at=_at(last_quarter_day, 16),
        place="市绿化市容局三楼会议室",
        agenda="一、传达学习有关文件精神；二、通报上季度重大事项报告情况；三、部署年检工作。",
        reading="《关于加强局管社会组织管理和服务的指导意见》",
        divisions=divisions,
    )
    orgs = list(Organization.objects.active().order_by("pk"))
    absent = {orgs[3].pk, orgs[10].pk}
    services.attendance_record(
        actor=policy,
        meeting=held,
        attended_org_ids=[o.pk for o in orgs if o.pk not in absent],
        minutes="会议通报了上季度重大事项报告情况，部署了年检准备工作。两家社会组织缺席。",
    )
    year, quarter = services.quarter_of(_at(day, 14))
    services.meeting_schedule(
        actor=policy,
        kind=MeetingKind.QUARTERLY,
        title=f"{year}年第{quarter}季度局管社会组织例会",
        starts_at=_at(day, 14),
        ends_at=_at(day, 16),
        place="市绿化市容局三楼会议室",
        agenda="一、学习社会组织信用信息管理有关规定；二、年度工作总结部署；三、交流发言。",
        reading="《社会组织信用信息管理办法》",
        divisions=divisions,
    )
    services.special_request_create(
        actor=leader,
        topic="行业协会收费问题专题研究",
        reason="近期信访反映部分协会培训收费偏高，建议召开专题会议研究规范措施。",
    )
