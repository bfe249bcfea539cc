"""The demo university across all services: one directory, GitLab groups for its courses, Vault roles."""

from devstack.directory import Directory, university
from devstack.gitlab.seed import university_spec

COURSES_ROOT = "courses"


def gitlab_spec(directory: Directory, courses: int = 2, teams_per_course: int = 3, students_per_team: int = 4) -> dict:
    """Course groups (with team subgroups and projects) under the `courses` root group, for the directory's people."""
    names = {p.uid: f"{p.given_name} {p.surname}" for p in directory.people}
    spec = university_spec(courses=courses, teams_per_course=teams_per_course, students_per_team=students_per_team,
                           names=names)
    spec["groups"] = [{"name": "Courses", "path": COURSES_ROOT, "members": {}, "subgroups": spec["groups"]}]
    return spec


def demo_directory() -> Directory:
    return university(students=30)
