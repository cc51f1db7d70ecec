"""Investigation (隐患排查): the enterprise's list of what to check, by whom, how often, as tasks.

:mod:`~dualprev_core.investigation.schedule` turns frequencies into due windows on the enterprise's
work calendar; :mod:`~dualprev_core.investigation.tasks` builds the tasks (items + packs'
templates) and says which are done, due or overdue at a time, counting missed checks.
"""

from dualprev_core.investigation.schedule import Holiday, Schedule, WorkCalendar, schedule_of
from dualprev_core.investigation.tasks import (
    STATUS_KINDS,
    InvestigationPlan,
    InvestigationTask,
    MissedCheck,
    TaskStatus,
    TaskStatusKind,
    build_plan,
    control_tags,
)

__all__ = [
    "Holiday",
    "WorkCalendar",
    "Schedule",
    "schedule_of",
    "InvestigationPlan",
    "InvestigationTask",
    "MissedCheck",
    "TaskStatus",
    "TaskStatusKind",
    "STATUS_KINDS",
    "build_plan",
    "control_tags",
]
