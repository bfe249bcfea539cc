"""Seeding from plain data (a dict or a JSON file), and a generator for a small university.

The spec:
    {"users": [{"username": "s0001", "name": "Anna Meyer", "email": "...", "state": "active"}, ...],
     "groups": [{"name": "CS 101", "path": "cs101", "members": {"prof.lang": 50},
                 "projects": [{"name": "Handbook", "path": "handbook", "members": {"tutor.berg": 40}}],
                 "subgroups": [ ...the same shape... ]}]}
Access levels are numbers (10 Guest ... 50 Owner).
"""

from devstack.gitlab.model import GROUP, PROJECT, GitLabModel


def seed(model: GitLabModel, spec: dict) -> None:
    for user in spec.get("users", []):
        created = model.create_user(user["username"], user.get("name"), user.get("email"))
        if user.get("state", "active") != "active":
            model.set_user_state(created.id, user["state"])
    for group in spec.get("groups", []):
        _seed_group(model, group, parent_id=None)


def _seed_group(model: GitLabModel, spec: dict, parent_id: int | None) -> None:
    group = model.create_group(spec.get("name", spec["path"]), spec["path"], parent_id, spec.get("description", ""))
    _seed_members(model, GROUP, group.id, spec.get("members", {}))
    for project_spec in spec.get("projects", []):
        project = model.create_project(project_spec.get("name", project_spec["path"]), group.id,
                                       path=project_spec["path"])
        _seed_members(model, PROJECT, project.id, project_spec.get("members", {}))
    for child in spec.get("subgroups", []):
        _seed_group(model, child, parent_id=group.id)


def _seed_members(model: GitLabModel, kind: str, source_id: int, members: dict[str, int]) -> None:
    for username, level in members.items():
        user = model.user_by_username(username)
        if user is None:
            raise ValueError(f"member {username!r} is not among the seeded users")
        model.add_member(kind, source_id, user.id, level)


def university_spec(courses: int = 2, teams_per_course: int = 3, students_per_team: int = 3,
                    projects_per_team: int = 1, staff: tuple[str, ...] = ("prof.lang", "prof.okafor", "tutor.berg"),
                    blocked_students: int = 0, names: dict[str, str] | None = None) -> dict:
    """Course groups with team subgroups and projects; usernames follow devstack.directory (s0001, ...).

    Each course: a professor as Owner, a tutor as Maintainer, every student of the course as Reporter
    (inherited by the teams), the team's own students as Developers on the team subgroup, and the first
    student of each team as Maintainer of the team's first project. The last `blocked_students` are blocked.
    `names` maps usernames to display names (for example from devstack.directory); others get a made-up one.
    """
    names = names or {}
    professors, tutors = [s for s in staff if not s.startswith("tutor")], [s for s in staff if s.startswith("tutor")]
    users, groups, number = [], [], 0
    for username in staff:
        users.append({"username": username, "name": names.get(username, username.split(".")[-1].title())})
    for c in range(courses):
        course_members = {}
        if professors:
            course_members[professors[c % len(professors)]] = 50
        if tutors:
            course_members[tutors[c % len(tutors)]] = 40
        teams = []
        for t in range(teams_per_course):
            team_students = []
            for _ in range(students_per_team):
                number += 1
                team_students.append(f"s{number:04d}")
            course_members.update({s: 20 for s in team_students})
            projects = [{"name": f"Project {p + 1}", "path": f"project-{p + 1}",
                         "members": {team_students[0]: 40} if p == 0 and team_students else {}}
                        for p in range(projects_per_team)]
            teams.append({"name": f"Team {t + 1}", "path": f"team-{t + 1}",
                          "members": {s: 30 for s in team_students}, "projects": projects})
        groups.append({"name": f"Course {c + 1}", "path": f"course-{c + 1}", "members": course_members,
                       "subgroups": teams})
    students = [f"s{n:04d}" for n in range(1, number + 1)]
    for index, username in enumerate(students):
        blocked = index >= len(students) - blocked_students
        users.append({"username": username, "name": names.get(username, f"Student {username}"),
                      "state": "blocked" if blocked else "active"})
    return {"users": users, "groups": groups}
