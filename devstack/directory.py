"""The people and groups of a university directory, as plain data, and their LDAP entries."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Person:
    uid: str
    given_name: str
    surname: str
    password: str

    @property
    def mail(self) -> str:
        return f"{self.uid}@campus.example"


@dataclass
class Directory:
    suffix: str = "dc=campus,dc=example"
    people: list[Person] = field(default_factory=list)
    groups: dict[str, list[str]] = field(default_factory=dict)  # group cn -> member uids
    service_password: str = "service-secret"

    @property
    def service_dn(self) -> str:
        return f"cn=campus,ou=services,{self.suffix}"

    @property
    def people_base(self) -> str:
        return f"ou=people,{self.suffix}"

    @property
    def groups_base(self) -> str:
        return f"ou=groups,{self.suffix}"

    def user_dn(self, uid: str) -> str:
        return f"uid={uid},{self.people_base}"

    def group_dn(self, cn: str) -> str:
        return f"cn={cn},{self.groups_base}"

    def entries(self, password_hash: Callable[[str], str]) -> Iterator[tuple[str, dict]]:
        dc = self.suffix.split(",")[0].split("=")[1]
        yield self.suffix, {"objectClass": ["dcObject", "organization"], "dc": dc, "o": "Campus University"}
        for ou in ("people", "groups", "services"):
            yield f"ou={ou},{self.suffix}", {"objectClass": ["organizationalUnit"], "ou": ou}
        yield self.service_dn, {"objectClass": ["organizationalRole", "simpleSecurityObject"], "cn": "campus",
                                "userPassword": password_hash(self.service_password)}
        for person in self.people:
            yield self.user_dn(person.uid), {
                "objectClass": ["inetOrgPerson"], "uid": person.uid, "givenName": person.given_name,
                "sn": person.surname, "cn": f"{person.given_name} {person.surname}", "mail": person.mail,
                "userPassword": password_hash(person.password),
            }
        for cn, uids in self.groups.items():
            # groupOfNames needs at least one member; the service account stands in for an empty group.
            members = [self.user_dn(uid) for uid in uids] or [self.service_dn]
            yield self.group_dn(cn), {"objectClass": ["groupOfNames"], "cn": cn, "member": members}


STUDENTS_GROUP, STAFF_GROUP, ADMINS_GROUP = "students", "staff", "campus-admins"

_GIVEN = ["Anna", "Ben", "Chiara", "Deniz", "Elif", "Finn", "Greta", "Hamid", "Ines", "Jonas", "Kim", "Lena",
          "Malte", "Nora", "Oskar", "Paula", "Quentin", "Rosa", "Sven", "Tara", "Umut", "Vera", "Wim", "Xenia",
          "Yusuf", "Zoe", "Jörg", "Maße", "Ana-Lucía", "Björn"]
_SURNAMES = ["Meyer", "Schulz", "Rossi", "Yilmaz", "Kaya", "Jensen", "Braun", "Karimi", "Silva", "Weber"]


def university(students: int = 30) -> Directory:
    """The demo and test university: students, 3 staff, 1 admin, and course groups.

    Passwords are `<uid>-pw`: this directory only ever runs on loopback for tests and the demo.
    """
    directory = Directory()
    student_uids = []
    for i in range(students):
        given = _GIVEN[i % len(_GIVEN)]
        uid = f"s{i + 1:04d}"
        directory.people.append(Person(uid, given, _SURNAMES[i % len(_SURNAMES)], f"{uid}-pw"))
        student_uids.append(uid)
    staff = [Person("prof.lang", "Ada", "Lang", "prof.lang-pw"),
             Person("prof.okafor", "Chidi", "Okafor", "prof.okafor-pw"),
             Person("tutor.berg", "Mia", "Berg", "tutor.berg-pw")]
    admin = Person("admin.ops", "Olga", "Ops", "admin.ops-pw")
    outsider = Person("guest.visitor", "Gus", "Visitor", "guest.visitor-pw")  # in no campus group
    directory.people += [*staff, admin, outsider]
    directory.groups = {
        STUDENTS_GROUP: student_uids,
        STAFF_GROUP: [p.uid for p in staff],
        ADMINS_GROUP: [admin.uid],
        "course-cs101": student_uids[: students // 2] + ["prof.lang", "tutor.berg"],
        "course-ml201": student_uids[students // 2:] + ["prof.okafor"],
    }
    return directory
