"""What can be checked of deploy/ without a Docker engine or a cluster: the files parse, and they name the
images, ports, probe paths, commands and environment variables the code really has."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from services.common.kernel.config import SERVICE_PORTS
from services.common.kernel.limits import OPERATION_TIME_LIMIT_SECONDS
from services.common.runtime.subgraph import create_app

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
BASE = DEPLOY / "k8s" / "base"
SUBGRAPHS = ("registry", "funding", "evaluation")
IMAGE = "civic-platform"


def documents(path: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def base_resources() -> list[dict]:
    kustomization = yaml.safe_load((BASE / "kustomization.yaml").read_text())
    return [d for name in kustomization["resources"] for d in documents(BASE / name)]


def of_kind(kind: str) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in base_resources() if d["kind"] == kind}


def variables_the_code_reads() -> set[str]:
    """Every environment variable named in services/ (env("X"), os.environ.get("X"), per-service URLs)."""
    names: set[str] = set()
    for source in (ROOT / "services").rglob("*.py"):
        if "tests" in source.parts:
            continue
        text = source.read_text()
        names |= set(re.findall(r'(?:env|environ\.get|environ\.setdefault|getenv)\(\s*"([A-Z][A-Z0-9_]+)"', text))
        names |= set(re.findall(r'environ\["([A-Z][A-Z0-9_]+)"\]', text))
    for service in SUBGRAPHS:
        names |= {f"{service.upper()}_DATABASE_URL", f"{service.upper()}_OWNER_DATABASE_URL", f"{service.upper()}_URL",
                  f"{service.upper()}_RELAY_DATABASE_URL"}
    names |= {f"{service.upper()}_AMQP_URL" for service in ("gateway", *SUBGRAPHS)}
    return names


def test_every_manifest_and_config_parses():
    files = [*DEPLOY.glob("k8s/**/*.yaml"), DEPLOY / "compose.yaml", DEPLOY / "router" / "router.yaml"]
    assert len(files) >= 10
    for path in files:
        assert documents(path), path


def test_the_kustomization_lists_every_base_file_and_the_city_overlay_builds_on_it():
    listed = set(yaml.safe_load((BASE / "kustomization.yaml").read_text())["resources"])
    assert listed == {p.name for p in BASE.glob("*.yaml")} - {"kustomization.yaml"}
    overlay_dir = DEPLOY / "k8s" / "overlays" / "city"
    overlay = yaml.safe_load((overlay_dir / "kustomization.yaml").read_text())
    assert "../../base" in overlay["resources"]
    for name in [r for r in overlay["resources"] if r.endswith(".yaml")] + [p["path"] for p in overlay["patches"]]:
        assert (overlay_dir / name).exists(), name
    deployments, hpas = of_kind("Deployment"), of_kind("HorizontalPodAutoscaler")
    for patch in documents(overlay_dir / "scale.yaml"):
        assert patch["metadata"]["name"] in {"Deployment": deployments, "HorizontalPodAutoscaler": hpas}[patch["kind"]]


@pytest.mark.parametrize("name", ["gateway", *SUBGRAPHS])
def test_each_process_is_a_deployment_with_its_port_probes_resources_autoscaler_and_disruption_budget(name):
    deployment = of_kind("Deployment")[name]
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == IMAGE
    assert [p["containerPort"] for p in container["ports"]] == [SERVICE_PORTS[name]]
    assert {"name": "PORT", "value": str(SERVICE_PORTS[name])} in container["env"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["port"] == container["ports"][0]["name"]
    assert {"cpu", "memory"} <= set(container["resources"]["requests"])
    # Its own broker user (and, for a subgraph, its relay role); never the operators' AMQP_URL.
    env_names = {e["name"] for e in container["env"]}
    assert f"{name.upper()}_AMQP_URL" in env_names and "AMQP_URL" not in env_names
    assert name == "gateway" or f"{name.upper()}_RELAY_DATABASE_URL" in env_names
    command = " ".join(container.get("command", []) + container.get("args", []))
    assert (f"services.{name}" if name != "gateway" else "services.gateway --policy platform") in command
    assert "migrate" not in command  # migrations are a Job of their own
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert of_kind("Service")[name]["spec"]["ports"][0]["port"] == SERVICE_PORTS[name]
    assert of_kind("HorizontalPodAutoscaler")[name]["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1", "kind": "Deployment", "name": name}
    assert of_kind("PodDisruptionBudget")[name]["spec"]["selector"]["matchLabels"] == selector


@pytest.mark.parametrize("name", SUBGRAPHS)
def test_the_probe_paths_exist_in_each_subgraph_app(name):
    service = __import__(f"services.{name}.service", fromlist=["service"]).service
    paths = {getattr(route, "path", None) for route in create_app(service, manage_database=False, workers=False).routes}
    assert {"/healthz", "/readyz", "/metrics", "/graphql"} <= paths


async def test_the_gateway_answers_on_its_probe_paths(gateway):
    for path in ("/healthz", "/readyz"):
        assert (await gateway.http.get(path)).status_code == 200, path


def test_migrations_run_as_a_job_and_rabbitmq_is_a_three_node_quorum_cluster():
    job = of_kind("Job")["civic-migrate"]["spec"]["template"]["spec"]["containers"][0]
    assert job["image"] == IMAGE and job["command"] == ["python", "-m", "services.common.data.db", "migrate"]
    rabbit = of_kind("StatefulSet")["rabbitmq"]
    assert rabbit["spec"]["replicas"] == 3
    assert "default_queue_type = quorum" in of_kind("ConfigMap")["rabbitmq-config"]["data"]["rabbitmq.conf"]
    assert {f"postgres-{s}" for s in SUBGRAPHS} <= set(of_kind("StatefulSet"))


def test_the_secret_and_config_name_only_variables_the_code_reads_and_every_database_url():
    known = variables_the_code_reads()
    config = set(of_kind("ConfigMap")["civic-config"]["data"]) | set(of_kind("Secret")["civic-secrets"]["stringData"])
    assert config <= known, config - known
    assert {f"{s.upper()}_DATABASE_URL" for s in SUBGRAPHS} | {"AMQP_URL"} <= config
    assert {f"{s.upper()}_RELAY_DATABASE_URL" for s in SUBGRAPHS} | {f"{s.upper()}_AMQP_URL" for s in ("gateway", *SUBGRAPHS)} <= config


def test_compose_runs_the_platform_with_the_variables_the_services_read():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]
    assert {"postgres", "rabbitmq", "migrate", "gateway", *SUBGRAPHS} <= set(compose)
    known = variables_the_code_reads()
    needed = {"AUTH_JWKS_URL", "CIVIC_ENV", "HOST", "PORT"}
    for name in ("gateway", *SUBGRAPHS):
        service = compose[name]
        env = service["environment"]
        assert set(env) <= known, set(env) - known
        assert needed <= set(env)
        # Each process its own broker user, from the environment; none the shared AMQP_URL.
        assert f"{name.upper()}_AMQP_URL" in env and "AMQP_URL" not in env
        assert f"civic_{name}:${{{name.upper()}_AMQP_PASSWORD" in env[f"{name.upper()}_AMQP_URL"]
        assert not {f"{s.upper()}_AMQP_URL" for s in ("gateway", *SUBGRAPHS) if s != name} & set(env)
        assert {f"{s.upper()}_DATABASE_URL" for s in SUBGRAPHS} <= set(env)
        assert {f"{s.upper()}_RELAY_DATABASE_URL" for s in SUBGRAPHS} <= set(env)
        assert env["PORT"] == str(SERVICE_PORTS[name])
        assert service["image"].split(":")[0] == IMAGE and service["build"]["dockerfile"] == "deploy/Dockerfile"
        assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert "migrate" not in " ".join(service["command"])
    assert {f"{s.upper()}_URL" for s in SUBGRAPHS} <= set(compose["gateway"]["environment"])
    # Published on the machine's loopback only, unless the operator names an address (GATEWAY_PUBLISH_ADDRESS).
    port = SERVICE_PORTS["gateway"]
    assert compose["gateway"]["ports"] == [f"${{GATEWAY_PUBLISH_ADDRESS:-127.0.0.1}}:{port}:{port}"]
    for name in ("postgres", "rabbitmq", *SUBGRAPHS):
        assert all(str(p).startswith("127.0.0.1:") for p in compose[name].get("ports", [])), name
    migrate = compose["migrate"]
    assert migrate["command"][:3] == ["python", "-m", "services.common.data.db"] and migrate["restart"] == "no"
    assert set(migrate["environment"]) <= known


def test_the_dockerfile_installs_the_platform_and_ships_the_supergraph():
    text = (DEPLOY / "Dockerfile").read_text()
    assert "COPY services ./services" in text and "COPY deploy/supergraph.graphql" in text
    assert "services.gateway" in text and "--policy" in text


def test_the_router_forwards_authorization_to_the_subgraphs_the_supergraph_names():
    router = yaml.safe_load((DEPLOY / "router" / "router.yaml").read_text())
    assert {"propagate": {"named": "authorization"}} in router["headers"]["all"]["request"]
    assert {"propagate": {"named": "idempotency-key"}} in router["headers"]["all"]["request"]
    # The router waits for a subgraph as long as our gateway waits for a mutation (kernel/limits.py).
    assert router["traffic_shaping"]["all"]["timeout"] == f"{OPERATION_TIME_LIMIT_SECONDS:g}s"
    graphs = set(re.findall(r'@join__graph\(name: "(\w+)"', (DEPLOY / "supergraph.graphql").read_text()))
    assert set(router["override_subgraph_url"]) == graphs == set(SUBGRAPHS)
    for name, url in router["override_subgraph_url"].items():
        assert url == f"http://{name}:{SERVICE_PORTS[name]}/graphql"


def test_the_citus_script_distributes_by_district():
    sql = (DEPLOY / "citus" / "distribute.sql").read_text()
    assert "create_distributed_table" in sql and "'district'" in sql and "create_reference_table" in sql
    assert (DEPLOY / "citus" / "README.md").exists()


def _pod_labels() -> dict[str, str]:
    """The app.kubernetes.io/name of every pod template of the base (Deployments, StatefulSets, the Job)."""
    labels = {}
    for kind in ("Deployment", "StatefulSet", "Job"):
        for name, workload in of_kind(kind).items():
            labels[name] = workload["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/name"]
    return labels


def _selects(selector: dict, label: str) -> bool:
    if "matchLabels" in selector and selector["matchLabels"].get("app.kubernetes.io/name") != label:
        return False
    for expression in selector.get("matchExpressions", []):
        assert expression["key"] == "app.kubernetes.io/name" and expression["operator"] == "In"
        if label not in expression["values"]:
            return False
    return bool(selector)


def _policies_selecting(label: str) -> list[dict]:
    return [p for p in of_kind("NetworkPolicy").values() if _selects(p["spec"]["podSelector"], label)]


def _allowed_from(label: str, port) -> set[str]:
    """The pods (by name label) that the policies selecting `label`'s pods let reach it on `port`."""
    pods = set(_pod_labels().values())
    allowed = set()
    for policy in _policies_selecting(label):
        assert policy["spec"]["policyTypes"] == ["Ingress"]
        for rule in policy["spec"]["ingress"]:
            if port not in [p["port"] for p in rule["ports"]]:
                continue
            for peer in rule["from"]:
                assert set(peer) == {"podSelector"}, "pods of this namespace only: no ipBlock, no namespaceSelector"
                allowed |= {pod for pod in pods if _selects(peer["podSelector"], pod)}
    return allowed


@pytest.mark.parametrize("name", SUBGRAPHS)
def test_only_the_gateway_reaches_a_subgraph(name):
    assert _pod_labels()[name] == name and _pod_labels()["gateway"] == "gateway"
    assert len(_policies_selecting(name)) == 1
    assert _allowed_from(name, "http") == {"gateway"}
    container = of_kind("Deployment")[name]["spec"]["template"]["spec"]["containers"][0]
    assert container["ports"] == [{"name": "http", "containerPort": SERVICE_PORTS[name]}]
    assert not _policies_selecting("gateway")  # the gateway takes the ingress traffic


@pytest.mark.parametrize("name", SUBGRAPHS)
def test_a_database_accepts_only_its_own_service_and_the_migrations(name):
    assert _allowed_from(f"postgres-{name}", 5432) == {name, "civic-migrate"}


def test_rabbitmq_accepts_amqp_only_from_the_services():
    assert _allowed_from("rabbitmq", 5672) == {"gateway", *SUBGRAPHS, "rabbitmq"}
    assert _allowed_from("rabbitmq", 25672) == {"rabbitmq"}


def test_the_broker_loads_each_services_user_from_the_definitions_the_code_derives():
    import json

    from services.common.events.broker_users import BROKER_SERVICES, deploy_definitions, password_variable

    path = BASE / "rabbitmq-definitions.json"
    assert json.loads(path.read_text()) == deploy_definitions(), (
        "regenerate: python -m services.common.events.broker_users definitions > deploy/k8s/base/rabbitmq-definitions.json")
    kustomization = yaml.safe_load((BASE / "kustomization.yaml").read_text())
    assert {"name": "rabbitmq-definitions", "files": [path.name]} in kustomization["configMapGenerator"]
    assert "load_definitions = /etc/rabbitmq-definitions/definitions.json" in (
        of_kind("ConfigMap")["rabbitmq-config"]["data"]["rabbitmq.conf"])
    pod = of_kind("StatefulSet")["rabbitmq"]["spec"]["template"]["spec"]
    init_env = {e["name"] for e in pod["initContainers"][0]["env"]}
    assert {password_variable(s) for s in BROKER_SERVICES} | {"RABBITMQ_ADMIN_PASSWORD"} == init_env
    secret = of_kind("Secret")["rabbitmq-secrets"]["stringData"]
    assert {f"{s}-password" for s in BROKER_SERVICES} <= set(secret)
    rabbit = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]["rabbitmq"]
    assert f"./k8s/base/{path.name}:/etc/civic/definitions.json:ro" in rabbit["volumes"]
    assert {password_variable(s) for s in BROKER_SERVICES} | {"RABBITMQ_ADMIN_PASSWORD"} == set(rabbit["environment"])


# What a production token key may look like in deploy/: a reference to the environment or a Secret, never a value.
SHARED_SECRETS = ("AUTH_JWT_SECRET",)
KEY_VARIABLES = ("AUTH_JWKS_URL", "AUTH_JWKS_FILE", "AUTH_JWT_PUBLIC_KEY", "AUTH_JWT_PUBLIC_KEY_FILE")


def test_no_fixed_token_key_ships_with_production_in_compose():
    text = (DEPLOY / "compose.yaml").read_text()
    compose = yaml.safe_load(text)["services"]
    assert not any(name in text for name in SHARED_SECRETS) and "BEGIN PUBLIC KEY" not in text
    for name in ("gateway", *SUBGRAPHS):
        env = compose[name]["environment"]
        assert env["CIVIC_ENV"] == "production"
        # `${AUTH_JWKS_URL:?...}`: compose refuses to start unless the operator's environment names the key.
        assert re.fullmatch(r"\$\{AUTH_JWKS_URL:\?[^}]+\}", env["AUTH_JWKS_URL"]), env["AUTH_JWKS_URL"]
        assert not set(env) & set(SHARED_SECRETS)


def test_no_fixed_token_key_ships_with_production_in_kubernetes():
    assert of_kind("ConfigMap")["civic-config"]["data"]["CIVIC_ENV"] == "production"
    shipped = [d for d in base_resources() if d["kind"] in ("Secret", "ConfigMap")]
    for document in shipped:
        values = {**document.get("data", {}), **document.get("stringData", {})}
        assert not set(values) & {*SHARED_SECRETS, *KEY_VARIABLES}, document["metadata"]["name"]
    assert "civic-auth" not in of_kind("Secret")  # the city creates it; the example is outside every kustomization
    for name in ("gateway", *SUBGRAPHS):
        container = of_kind("Deployment")[name]["spec"]["template"]["spec"]["containers"][0]
        assert {"secretRef": {"name": "civic-auth"}} in container["envFrom"]
        assert not {e["name"] for e in container.get("env", [])} & {*SHARED_SECRETS, *KEY_VARIABLES}
    for path in DEPLOY.glob("k8s/**/*.yaml"):
        assert not any(name in path.read_text() for name in SHARED_SECRETS), path
    example = documents(DEPLOY / "k8s" / "civic-auth.example.yaml")[0]
    assert example["kind"] == "Secret" and example["metadata"]["name"] == "civic-auth"
    assert set(example["stringData"]) <= set(KEY_VARIABLES) & variables_the_code_reads()
    assert all(".invalid" in value for value in example["stringData"].values())  # a placeholder, not a real key
