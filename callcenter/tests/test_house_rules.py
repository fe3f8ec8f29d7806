"""The house rules that run (docs/ARCHITECTURE.md, "Rules that keep it simple"):

- only services publish realtime events;
- no app's template includes another app's template, except the knowledgebase's
  (the library every app may use) and through the documented inclusion points;
- every ModelAdmin of ours is read-only or saves (and deletes) through a service;
- no history row can be deleted through admin or the API, neither by itself nor
  by a cascade from a row that can;
- the public functions of services and selectors modules take keyword-only arguments.
"""

from __future__ import annotations

import ast
import inspect
import json
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver

from callcenter import extensions

ROOT = Path(settings.BASE_DIR)


def is_ours(path: Path) -> bool:
    """A file or folder of the project's own, not of a package installed in a .venv inside it."""
    path = Path(path)
    return path.is_relative_to(ROOT) and ".venv" not in path.relative_to(ROOT).parts


#: the project's own apps (third-party admins, such as Django's users, are not ours to rule)
PROJECT_APPS = {config.label for config in apps.get_app_configs() if is_ours(config.path)}

#: History: rows that say what happened. Never deleted from the app (README, "Retention").
HISTORY = {
    "AccessLog",
    "Call",
    "CallEvent",
    "PhoneEvent",
    "AgentStateChange",
    "Referral",
    "ReferralEvent",
    "FollowUp",
    "FAQRevision",
    "Case",
    "CaseEvent",
    "RegistrationEvent",
    "AbuseFlag",
    "CallerBlock",
}


def history_models() -> set[type[models.Model]]:
    found = {
        model for model in apps.get_models() if model.__name__ in HISTORY and model._meta.app_label in PROJECT_APPS
    }
    assert {model.__name__ for model in found} == HISTORY  # a renamed model must be renamed here too
    return found


def python_files() -> list[Path]:
    skip = {".venv", "bench", "node_modules", "var", "static", "templates", "docs"}
    return [
        path
        for path in ROOT.rglob("*.py")
        if not skip & set(path.relative_to(ROOT).parts) and "tests" not in path.relative_to(ROOT).parts
    ]


# --- only services publish -------------------------------------------------------------------
def publish_calls(tree: ast.AST) -> list[int]:
    """Lines that call callcenter.realtime's publish (as `realtime.publish(...)` or an imported `publish`)."""
    imported = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("callcenter.realtime")
        for alias in node.names
        if alias.name == "publish"
    }
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if (
            isinstance(func, ast.Attribute) and func.attr == "publish" and getattr(func.value, "id", "") == "realtime"
        ) or (isinstance(func, ast.Name) and func.id in imported):
            lines.append(node.lineno)
    return lines


def test_publish_is_called_only_from_services_modules():
    offenders, callers = [], []
    for path in python_files():
        relative = path.relative_to(ROOT)
        if relative.parts[:2] == ("callcenter", "realtime"):
            continue  # the definition itself
        lines = publish_calls(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        if lines:
            callers.append(relative)
            if path.name != "services.py":
                offenders += [f"{relative}:{line}" for line in lines]
    assert not offenders, f"only services publish realtime events: {offenders}"
    assert callers  # the scan found the services that do


def test_only_services_write_the_access_log():
    """Views, API views, admin and consumers record a personal-data view through a service
    (callcenter.services.personal_data_reveal or an app's own), never by writing the row."""
    offenders = []
    for path in python_files():
        if path.name == "services.py" or path.name.endswith("_services.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = getattr(node, "func", None)
            name = getattr(name, "id", None) or getattr(name, "attr", None)
            if isinstance(node, ast.Call) and name in ("access_log_record", "access_log_entry"):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if isinstance(node, ast.Attribute) and node.attr == "create" and "AccessLog" in ast.unparse(node.value):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, offenders


def test_the_publish_scan_sees_both_spellings():
    source = (
        "from callcenter.realtime import publish as push\n"
        "from callcenter import realtime\n"
        "push('a', {}, groups=[])\n"
        "realtime.publish('b', {}, groups=[])\n"
    )
    assert publish_calls(ast.parse(source)) == [3, 4]


# --- templates -------------------------------------------------------------------------------
INCLUDE = re.compile(r"""{%\s*(?:include|extends)\s+["']([^"']+)["']""")
PLACE = re.compile(r"""{%\s*page_parts\s+["']([^"']+)["']""")
#: the apps whose templates any app's template may include: the library everyone uses
SHARED_TEMPLATE_APPS = {"knowledgebase"}


def template_files() -> list[tuple[str, Path]]:
    """(name as Django finds it, file) of the project's templates, admin overrides aside."""
    roots = [ROOT / "templates", *(Path(config.path) / "templates" for config in apps.get_app_configs())]
    found = []
    for root in roots:
        if not root.is_dir() or not is_ours(root):
            continue
        for path in root.rglob("*.html"):
            name = path.relative_to(root).as_posix()
            found.append((name, path))
    return found


def template_app(name: str) -> str | None:
    """The app a template belongs to: its first folder (None: the project's own, like base.html)."""
    first, _, rest = name.partition("/")
    return first if rest and first in PROJECT_APPS else None


def test_no_template_includes_another_apps_template_except_through_inclusion_points():
    offenders, places = [], set()
    for name, path in template_files():
        text = path.read_text(encoding="utf-8")
        places.update(PLACE.findall(text))
        owner = template_app(name)
        for included in INCLUDE.findall(text):
            target = template_app(included)
            if owner and target and target != owner and target not in SHARED_TEMPLATE_APPS:
                offenders.append(f"{name} includes {included}")
    assert not offenders, f"use an inclusion point (callcenter.extensions.PAGE_PLACES): {offenders}"
    # every place a page offers is a documented one
    assert places <= set(extensions.PAGE_PLACES), places - set(extensions.PAGE_PLACES)


def test_every_registered_page_part_is_for_a_documented_place():
    assert set(extensions._page_parts) <= set(extensions.PAGE_PLACES)
    with pytest.raises(ValueError):
        extensions.register_page_part("nowhere", extensions.PagePart(template="x.html", visible=bool))


# --- admin -----------------------------------------------------------------------------------
@pytest.fixture
def superuser_request(db):
    request = RequestFactory().get("/admin/")
    request.user = get_user_model()(username="root", is_superuser=True, is_staff=True, is_active=True)
    return request


def our_admins() -> list[tuple[type[models.Model], admin.ModelAdmin]]:
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in PROJECT_APPS
    ]


def overrides(model_admin: admin.ModelAdmin, method: str) -> str | None:
    """The source of `method` when a project class defines it (not Django's default)."""
    for klass in type(model_admin).__mro__:
        if method in vars(klass):
            if klass.__module__.startswith("django."):
                return None
            return inspect.getsource(vars(klass)[method])
    return None


def calls_a_service(source: str | None) -> bool:
    return bool(source) and re.search(r"\w*services\.\w+\(", source) is not None


def test_every_model_admin_is_read_only_or_writes_through_a_service(superuser_request):
    offenders = []
    for model, model_admin in our_admins():
        label = f"{type(model_admin).__name__} ({model.__name__})"
        writes = model_admin.has_add_permission(superuser_request) or model_admin.has_change_permission(
            superuser_request
        )
        if writes and not calls_a_service(overrides(model_admin, "save_model")):
            offenders.append(f"{label}: save_model does not call a service")
        many_to_many = model_admin.filter_horizontal or model_admin.filter_vertical
        if writes and many_to_many and not calls_a_service(overrides(model_admin, "save_related")):
            offenders.append(f"{label}: save_related (many-to-many) does not call a service")
        if model_admin.has_delete_permission(superuser_request):
            for method in ("delete_model", "delete_queryset"):
                if not calls_a_service(overrides(model_admin, method)):
                    offenders.append(f"{label}: {method} does not call a service")
        for inline in model_admin.get_inline_instances(superuser_request):
            if inline.has_add_permission(superuser_request, None) or inline.has_change_permission(superuser_request):
                offenders.append(f"{label}: inline {type(inline).__name__} edits rows without a service")
            if inline.can_delete and inline.has_delete_permission(superuser_request):
                offenders.append(f"{label}: inline {type(inline).__name__} deletes rows without a service")
    assert not offenders, offenders


def cascades(model: type[models.Model], seen: set | None = None) -> set[type[models.Model]]:
    """Every model whose rows deleting a `model` row deletes too (on_delete=CASCADE, all the way down)."""
    seen = set() if seen is None else seen
    for relation in model._meta.related_objects:
        if getattr(relation, "on_delete", None) is models.CASCADE and relation.related_model not in seen:
            seen.add(relation.related_model)
            cascades(relation.related_model, seen)
    return seen


def test_no_history_can_be_deleted_through_admin(superuser_request):
    history = history_models()
    offenders = []
    for model, model_admin in admin.site._registry.items():  # Django's own admins too (users: cascades)
        if not model_admin.has_delete_permission(superuser_request):
            continue
        if model in history:
            offenders.append(f"{type(model_admin).__name__} deletes {model.__name__}")
        lost = cascades(model) & history
        if lost:
            offenders.append(
                f"{type(model_admin).__name__}: deleting a {model.__name__} deletes {sorted(m.__name__ for m in lost)}"
            )
    assert not offenders, offenders


def api_views() -> list[tuple[str, type]]:
    from rest_framework.views import APIView

    found = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                view = getattr(pattern.callback, "cls", None) or getattr(pattern.callback, "view_class", None)
                if isinstance(view, type) and issubclass(view, APIView):
                    found.append((prefix + str(pattern.pattern), view))

    walk(get_resolver().url_patterns)
    return found


def view_model(view: type) -> type[models.Model] | None:
    queryset = getattr(view, "queryset", None)
    if queryset is not None:
        return queryset.model
    serializer = getattr(view, "serializer_class", None)
    meta = getattr(serializer, "Meta", None)
    return getattr(meta, "model", None)


#: The API's deletes, each named with what it removes. Neither is history, nor cascades to it.
API_DELETES = {
    "CallerBlockDetailApi": None,  # ends a block: the row is kept, with who ended it
    "RegistrationDetailApi": "Registration",  # a guardian's request: the registration and its photo go
}


def test_no_history_can_be_deleted_through_the_api():
    history = history_models()
    deletes = {}
    for route, view in api_views():
        if "delete" in getattr(view, "http_method_names", ()) and (hasattr(view, "delete") or hasattr(view, "destroy")):
            deletes[view.__name__] = (route, view_model(view))
    assert set(deletes) == set(API_DELETES), deletes
    for removed in API_DELETES.values():
        if removed is None:
            continue
        model = next(m for m in apps.get_models() if m.__name__ == removed)
        assert model not in history
        assert not cascades(model) & history, f"deleting a {removed} deletes history"


# --- error codes -----------------------------------------------------------------------------
def error_code_literals(tree: ast.AST) -> list[int]:
    """Lines that spell an API error code as a string instead of naming an ErrorCode member."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for statement in node.body:
                if (
                    isinstance(statement, ast.Assign)
                    and any(getattr(target, "id", "") == "code" for target in statement.targets)
                    and isinstance(statement.value, ast.Constant)
                    and isinstance(statement.value.value, str)
                ):
                    lines.append(statement.lineno)
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", "") or getattr(node.func, "attr", "")
        if name == "ValidationError" or name.endswith("Validator"):
            continue  # Django's form codes, never an API's "error"
        for keyword in node.keywords:
            if (
                keyword.arg == "code"
                and isinstance(keyword.value, ast.Constant)
                and isinstance(keyword.value.value, str)
            ):
                lines.append(node.lineno)
        literal = any(isinstance(arg, ast.Constant) and isinstance(arg.value, str) for arg in node.args[:2])
        if name in ("error_body", "json_error") and literal:
            lines.append(node.lineno)
    return lines


def test_error_codes_are_named_in_each_apps_error_codes_module():
    offenders = []
    for path in python_files():
        if path.name == "error_codes.py" or "migrations" in path.parts:
            continue
        lines = error_code_literals(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        offenders += [f"{path.relative_to(ROOT)}:{line}" for line in lines]
    assert not offenders, f"name the code in the app's error_codes.py: {offenders}"


def test_the_error_code_scan_sees_every_spelling():
    source = (
        "class Taken(Conflict):\n"
        "    code = 'taken'\n"
        "raise Conflict('x', code='late')\n"
        "error_body('gone', 'message')\n"
        "raise ValidationError('x', code='invalid_phone')\n"
        "raise Conflict('x', code=ErrorCode.LATE)\n"
    )
    assert error_code_literals(ast.parse(source)) == [2, 3, 4]


def test_error_codes_keep_their_values():
    """The codes are the API's contract: an Enum member's value is what clients see."""
    from callcenter.error_codes import ErrorCode
    from callcenter.errors import error_body

    assert error_body(ErrorCode.NOT_FOUND, "x")["error"] == "not_found"
    assert type(error_body(ErrorCode.NOT_FOUND, "x")["error"]) is str  # any renderer (YAML too) writes it
    assert json.loads(json.dumps(error_body(ErrorCode.INVALID, "x"))) == {
        "error": "invalid",
        "message": "x",
        "fields": {},
    }


# --- keyword-only arguments on services and selectors ------------------------------------
def services_and_selectors() -> list[Path]:
    return [
        path
        for path in python_files()
        if "migrations" not in path.parts
        and (path.name in ("services.py", "selectors.py") or path.stem.endswith(("_services", "_selectors")))
    ]


def positional_parameters(tree: ast.Module) -> list[str]:
    """The module-level public functions that take a positional parameter."""
    return [
        f"{node.name}({', '.join(arg.arg for arg in node.args.posonlyargs + node.args.args)})"
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and not node.name.startswith("_")
        and node.args.posonlyargs + node.args.args
    ]


def test_public_services_and_selectors_take_keyword_only_arguments():
    """`services.call_correct(call=..., actor=...)`, never by position (HOUSE_STYLE.md)."""
    modules = services_and_selectors()
    assert len(modules) >= 12  # the scan sees the apps' modules
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in modules
        if (found := positional_parameters(ast.parse(path.read_text())))
    }
    assert offenders == {}


def test_the_keyword_only_scan_sees_a_positional_parameter():
    tree = ast.parse("def call_get(pk):\n    pass\ndef call_list(*, user):\n    pass\ndef _helper(x):\n    pass\n")
    assert positional_parameters(tree) == ["call_get(pk)"]


# --- every app's tests run ----------------------------------------------------------------
def test_every_app_with_tests_is_in_the_suites_paths():
    """`make test` and CI run pytest's testpaths: an app left out (reports was) has tests that never run."""
    import configparser

    ini = configparser.ConfigParser()
    ini.read(ROOT / "pytest.ini")
    testpaths = set(ini["pytest"]["testpaths"].split())
    with_tests = {Path(config.path).name for config in apps.get_app_configs() if is_ours(config.path)}
    with_tests = {name for name in with_tests if (ROOT / name / "tests").is_dir()}
    assert {"floor", "inquiries", "reports"} <= with_tests
    assert with_tests <= testpaths


# --- no import inside a function to dodge a cycle ------------------------------------------
#: Where a project import inside a function is the point, not a dodge: Django's AppConfig.ready()
#: (apps.py, the documented place), and the simulator, which also runs without Django
#: (its event generator is imported by the benches before Django is set up).
LOCAL_IMPORTS_ALLOWED = {"apps.py", "floor/simulator.py"}
OUR_PACKAGES = ("callcenter", "floor", "inquiries", "knowledgebase", "referrals", "reports", "safety")


def imports_inside_functions(tree: ast.Module) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            names = []
            if isinstance(inner, ast.ImportFrom) and inner.level == 0:
                names = [inner.module or ""]
            elif isinstance(inner, ast.Import):
                names = [alias.name for alias in inner.names]
            found += [f"{node.name}: {name}" for name in names if name.split(".")[0] in OUR_PACKAGES]
    return found


def test_no_project_import_inside_a_function():
    """An import moved into a function to get past a cycle hides the cycle from import-linter."""
    offenders = {}
    for path in python_files():
        relative = path.relative_to(ROOT)
        allowed = path.name in LOCAL_IMPORTS_ALLOWED or str(relative) in LOCAL_IMPORTS_ALLOWED
        if {"migrations", "testing"} & set(relative.parts) or allowed:  # testing/: fixtures load after setup
            continue
        if found := imports_inside_functions(ast.parse(path.read_text())):
            offenders[str(relative)] = found
    assert offenders == {}


def test_the_local_import_scan_sees_one():
    tree = ast.parse("def f():\n    from floor import stats\n    import json\n")
    assert imports_inside_functions(tree) == ["f: floor"]
