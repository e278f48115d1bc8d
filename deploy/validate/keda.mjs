// Validates every KEDA resource in the YAML files given against KEDA's CRD schemas (the npm
// models of @kubernetes-models/keda). Prints one line per resource; exit code 1 on any error.
// Run by tests/deploy.rs; installed by scripts/setup.sh (npm ci in this folder).
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { ScaledObject, TriggerAuthentication, ScaledJob, ClusterTriggerAuthentication } from "@kubernetes-models/keda/keda.sh/v1alpha1";

const kinds = { ScaledObject, TriggerAuthentication, ScaledJob, ClusterTriggerAuthentication };
let failed = false;
let checked = 0;
for (const file of process.argv.slice(2)) {
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (doc.errors.length) {
      console.log(`${file}: not YAML: ${doc.errors[0].message}`);
      failed = true;
      continue;
    }
    const obj = doc.toJS();
    if (!obj || obj.apiVersion !== "keda.sh/v1alpha1") continue;
    const Kind = kinds[obj.kind];
    if (!Kind) {
      console.log(`${file}: ${obj.kind}: not a KEDA kind these models know`);
      failed = true;
      continue;
    }
    try {
      new Kind(obj).validate();
      checked += 1;
      console.log(`${file}: ${obj.kind} ${obj.metadata?.name}: valid`);
    } catch (e) {
      failed = true;
      console.log(`${file}: ${obj.kind} ${obj.metadata?.name}: INVALID: ${e.message}`);
    }
  }
}
if (checked === 0) {
  console.log("no KEDA resource found");
  failed = true;
}
process.exit(failed ? 1 : 0);
