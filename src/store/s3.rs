//! The production store: an S3 bucket with versioning and Object Lock in COMPLIANCE mode.
//!
//! Plain S3 calls only, so it works unchanged against AWS S3, MinIO, Ceph RGW and the test
//! server (moto): a conditional `PutObject` (`If-None-Match: *`) creates an object only
//! where none exists; `ObjectLockMode=COMPLIANCE` with a retain-until date makes the storage
//! itself refuse deletes and overwrites of that version until then; retention only ever
//! grows (we never send an earlier date, and real S3 would refuse it); server-side
//! encryption is requested on every write.
//!
//! The store is synchronous like every stage interface: it owns a small tokio runtime and
//! blocks on it. Call it from ordinary threads (the worker runs documents on its blocking
//! pool), never from inside an async task.

use aws_sdk_s3::config::timeout::TimeoutConfig;
use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    BucketLocationConstraint, CreateBucketConfiguration, ObjectLockLegalHold, ObjectLockLegalHoldStatus, ObjectLockMode, ObjectLockRetention, ObjectLockRetentionMode, ServerSideEncryption,
};
use aws_sdk_s3::Client;
use chrono::{DateTime, Utc};

use super::{valid_key, ObjectMeta, ObjectStore, Put, StoreError};

/// How to reach the bucket. Credentials come from the environment, never from a file
/// that could be committed.
#[derive(Debug, Clone)]
pub struct S3Config {
    pub bucket: String,
    /// `None` for AWS itself.
    pub endpoint: Option<String>,
    pub region: String,
    /// Path-style addressing (`http://host/bucket/key`), which MinIO, Ceph and moto need.
    pub path_style: bool,
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
    /// `AES256` or `aws:kms`; `None` sends no encryption header.
    pub sse: Option<String>,
    pub sse_kms_key_id: Option<String>,
    /// Locks objects (COMPLIANCE). Off only for a bucket without Object Lock, e.g. while
    /// trying things out; the archive warns about it.
    pub object_lock: bool,
}

pub struct S3Store {
    config: S3Config,
    client: Client,
    /// Always `Some` until dropped.
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for S3Store {
    fn drop(&mut self) {
        // The one way to drop a runtime that is allowed inside another runtime's tasks.
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

fn to_smithy(t: DateTime<Utc>) -> aws_sdk_s3::primitives::DateTime {
    aws_sdk_s3::primitives::DateTime::from_secs(t.timestamp())
}

fn from_smithy(t: &aws_sdk_s3::primitives::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(t.secs(), 0)
}

/// The HTTP status of a failed call, when a response came back.
fn status<E, R: HttpStatus>(e: &SdkError<E, R>) -> Option<u16> {
    e.raw_response().map(|r| r.status_u16())
}

trait HttpStatus {
    fn status_u16(&self) -> u16;
}

impl HttpStatus for aws_sdk_s3::config::http::HttpResponse {
    fn status_u16(&self) -> u16 {
        self.status().as_u16()
    }
}

/// Sorts a failed call into "try again later" and "will not work until someone acts".
fn classify<E: ProvideErrorMetadata + std::error::Error + 'static>(op: &'static str, key: &str, e: SdkError<E, aws_sdk_s3::config::http::HttpResponse>) -> StoreError {
    let code = status(&e);
    let detail = match e.as_service_error() {
        Some(se) => format!("{} ({})", se.message().unwrap_or("no message"), se.code().unwrap_or("no code")),
        None => aws_sdk_s3::error::DisplayErrorContext(&e).to_string(),
    };
    match code {
        Some(c) if (400..500).contains(&c) && c != 408 && c != 429 => StoreError::Refused { op, key: key.to_string(), message: format!("HTTP {c}: {detail}") },
        _ => StoreError::Unavailable(format!("{op} {key}: {detail}")),
    }
}

impl S3Store {
    /// Connects (no request is made yet). Fails only when the configuration is unusable.
    pub fn connect(config: S3Config) -> Result<S3Store, StoreError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("mailroom-s3")
            .enable_all()
            .build()
            .map_err(|e| StoreError::Unavailable(format!("cannot start the S3 client runtime: {e}")))?;
        let creds = Credentials::new(&config.access_key_id, &config.secret_access_key, config.session_token.clone(), None, "mailroom-environment");
        let mut b = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(config.region.clone()))
            .credentials_provider(creds)
            .force_path_style(config.path_style)
            .timeout_config(TimeoutConfig::builder().connect_timeout(std::time::Duration::from_secs(5)).operation_attempt_timeout(std::time::Duration::from_secs(60)).build());
        if let Some(ep) = &config.endpoint {
            b = b.endpoint_url(ep);
        }
        let client = Client::from_conf(b.build());
        Ok(S3Store { config, client, runtime: Some(runtime) })
    }

    fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.runtime.as_ref().expect("the runtime lives as long as the store").block_on(f)
    }

    pub fn bucket(&self) -> &str {
        &self.config.bucket
    }

    /// Creates the bucket with Object Lock (and so versioning) when it does not exist yet;
    /// checks that an existing one has Object Lock enabled when we rely on it.
    pub fn ensure_bucket(&self) -> Result<(), StoreError> {
        let bucket = self.config.bucket.clone();
        self.block_on(async {
            match self.client.head_bucket().bucket(&bucket).send().await {
                Ok(_) => {}
                Err(e) if status(&e) == Some(404) => {
                    let mut req = self.client.create_bucket().bucket(&bucket).object_lock_enabled_for_bucket(self.config.object_lock);
                    if self.config.region != "us-east-1" {
                        req = req.create_bucket_configuration(CreateBucketConfiguration::builder().location_constraint(BucketLocationConstraint::from(self.config.region.as_str())).build());
                    }
                    req.send().await.map_err(|e| classify("create bucket", &bucket, e))?;
                    tracing::info!(bucket = %bucket, object_lock = self.config.object_lock, "created the archive bucket");
                }
                Err(e) => return Err(classify("head bucket", &bucket, e)),
            }
            if self.config.object_lock {
                let conf = self.client.get_object_lock_configuration().bucket(&bucket).send().await.map_err(|e| classify("get object lock configuration", &bucket, e))?;
                let enabled = conf.object_lock_configuration().and_then(|c| c.object_lock_enabled()).map(|e| e.as_str() == "Enabled").unwrap_or(false);
                if !enabled {
                    return Err(StoreError::Refused {
                        op: "use bucket",
                        key: bucket.clone(),
                        message:
                            "Object Lock is not enabled on this bucket; create a new bucket with Object Lock (it cannot be turned on later on most servers) or set object_lock = false for a test setup"
                                .into(),
                    });
                }
            }
            Ok(())
        })
    }

    fn check(&self, op: &'static str, key: &str) -> Result<(), StoreError> {
        if valid_key(key) {
            Ok(())
        } else {
            Err(StoreError::Refused { op, key: key.to_string(), message: "not a valid object key".into() })
        }
    }
}

impl ObjectStore for S3Store {
    fn describe(&self) -> String {
        match &self.config.endpoint {
            Some(ep) => format!("s3://{} at {ep}", self.config.bucket),
            None => format!("s3://{} ({})", self.config.bucket, self.config.region),
        }
    }

    fn put_new(&self, key: &str, bytes: &[u8], retain_until: Option<DateTime<Utc>>) -> Result<Put, StoreError> {
        self.check("put", key)?;
        self.block_on(async {
            let build = || {
                let mut req = self.client.put_object().bucket(&self.config.bucket).key(key).if_none_match("*").body(ByteStream::from(bytes.to_vec()));
                if let (Some(until), true) = (retain_until, self.config.object_lock) {
                    req = req.object_lock_mode(ObjectLockMode::Compliance).object_lock_retain_until_date(to_smithy(until));
                }
                if let Some(sse) = &self.config.sse {
                    req = req.server_side_encryption(ServerSideEncryption::from(sse.as_str()));
                    if let Some(kms) = &self.config.sse_kms_key_id {
                        req = req.ssekms_key_id(kms);
                    }
                }
                req
            };
            // 412: the key exists. 409: a concurrent conditional write to the same key is in
            // flight (AWS answers so), and it may yet fail: that is not "exists" — the key may
            // be empty when we look. Ask again after a short wait until the other write has
            // settled into 412 or nothing; still undecided after that, a transient error
            // (the job is tried again).
            let mut attempt = 0u32;
            loop {
                match build().send().await {
                    Ok(_) => return Ok(Put::Created),
                    Err(e) if status(&e) == Some(412) => return Ok(Put::Exists),
                    Err(e) if status(&e) == Some(409) && attempt < 8 => {
                        attempt += 1;
                        tokio::time::sleep(std::time::Duration::from_millis(5u64 << attempt.min(6))).await;
                    }
                    Err(e) if status(&e) == Some(409) => return Err(StoreError::Unavailable(format!("put {key}: conflicting concurrent writes did not settle; try again"))),
                    Err(e) => return Err(classify("put", key, e)),
                }
            }
        })
    }

    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.check("get", key)?;
        self.block_on(async {
            match self.client.get_object().bucket(&self.config.bucket).key(key).send().await {
                Ok(out) => {
                    let body = out.body.collect().await.map_err(|e| StoreError::Unavailable(format!("get {key}: reading the body failed: {e}")))?;
                    Ok(Some(body.into_bytes().to_vec()))
                }
                Err(e) if status(&e) == Some(404) => Ok(None),
                Err(e) => Err(classify("get", key, e)),
            }
        })
    }

    fn head(&self, key: &str) -> Result<Option<ObjectMeta>, StoreError> {
        self.check("head", key)?;
        self.block_on(async {
            match self.client.head_object().bucket(&self.config.bucket).key(key).send().await {
                Ok(h) => Ok(Some(ObjectMeta {
                    key: key.to_string(),
                    size: h.content_length().unwrap_or(0).max(0) as u64,
                    retain_until: h.object_lock_retain_until_date().and_then(from_smithy),
                    legal_hold: h.object_lock_legal_hold_status() == Some(&ObjectLockLegalHoldStatus::On),
                })),
                Err(e) if status(&e) == Some(404) => Ok(None),
                Err(e) => Err(classify("head", key, e)),
            }
        })
    }

    fn list(&self, prefix: &str, after: Option<&str>, limit: usize) -> Result<Vec<String>, StoreError> {
        self.block_on(async {
            let mut out = Vec::new();
            let mut token: Option<String> = None;
            while out.len() < limit {
                let mut req = self.client.list_objects_v2().bucket(&self.config.bucket).prefix(prefix).max_keys((limit - out.len()).min(1000) as i32);
                if let Some(t) = &token {
                    req = req.continuation_token(t);
                } else if let Some(a) = after {
                    req = req.start_after(a);
                }
                let page = req.send().await.map_err(|e| classify("list", prefix, e))?;
                out.extend(page.contents().iter().filter_map(|o| o.key().map(str::to_string)));
                match page.next_continuation_token() {
                    Some(t) if page.is_truncated() == Some(true) => token = Some(t.to_string()),
                    _ => break,
                }
            }
            out.truncate(limit);
            Ok(out)
        })
    }

    #[allow(clippy::string_slice)] // after `starts_with(prefix)`
    fn children(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        self.block_on(async {
            let mut out = Vec::new();
            let mut token: Option<String> = None;
            loop {
                let mut req = self.client.list_objects_v2().bucket(&self.config.bucket).prefix(prefix).delimiter("/");
                if let Some(t) = &token {
                    req = req.continuation_token(t);
                }
                let page = req.send().await.map_err(|e| classify("list", prefix, e))?;
                for p in page.common_prefixes() {
                    if let Some(p) = p.prefix() {
                        out.push(p[prefix.len()..].trim_end_matches('/').to_string());
                    }
                }
                for o in page.contents() {
                    if let Some(k) = o.key() {
                        out.push(k[prefix.len()..].to_string());
                    }
                }
                match page.next_continuation_token() {
                    Some(t) if page.is_truncated() == Some(true) => token = Some(t.to_string()),
                    _ => break,
                }
            }
            out.sort();
            out.dedup();
            Ok(out)
        })
    }

    fn extend_retention(&self, key: &str, until: DateTime<Utc>) -> Result<(), StoreError> {
        if !self.config.object_lock {
            return Ok(());
        }
        let current = self.head(key)?.ok_or_else(|| StoreError::Refused { op: "extend retention", key: key.to_string(), message: "no such object".into() })?;
        if current.retain_until.map(|c| until <= c).unwrap_or(false) {
            return Ok(());
        }
        self.block_on(async {
            let retention = ObjectLockRetention::builder().mode(ObjectLockRetentionMode::Compliance).retain_until_date(to_smithy(until)).build();
            self.client.put_object_retention().bucket(&self.config.bucket).key(key).retention(retention).send().await.map(|_| ()).map_err(|e| classify("extend retention", key, e))
        })
    }

    fn set_legal_hold(&self, key: &str, on: bool) -> Result<(), StoreError> {
        self.check("legal hold", key)?;
        if !self.config.object_lock {
            return Err(StoreError::Refused { op: "legal hold", key: key.to_string(), message: "the bucket is configured without Object Lock".into() });
        }
        self.block_on(async {
            let status = if on { ObjectLockLegalHoldStatus::On } else { ObjectLockLegalHoldStatus::Off };
            self.client
                .put_object_legal_hold()
                .bucket(&self.config.bucket)
                .key(key)
                .legal_hold(ObjectLockLegalHold::builder().status(status).build())
                .send()
                .await
                .map(|_| ())
                .map_err(|e| classify("legal hold", key, e))
        })
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.check("delete", key)?;
        // Say why before asking, so the refusal is clear whatever the server's wording.
        if let Some(meta) = self.head(key)? {
            if meta.legal_hold {
                return Err(StoreError::Refused { op: "delete", key: key.to_string(), message: "a legal hold is set".into() });
            }
            if let Some(until) = meta.retain_until.filter(|u| *u > Utc::now()) {
                return Err(StoreError::Refused { op: "delete", key: key.to_string(), message: format!("retained until {}", until.to_rfc3339()) });
            }
        }
        self.block_on(async {
            // A versioned bucket keeps a deleted object's versions: remove each one.
            let listing = self.client.list_object_versions().bucket(&self.config.bucket).prefix(key).send().await.map_err(|e| classify("list versions", key, e))?;
            let mut versions: Vec<String> = listing.versions().iter().filter(|v| v.key() == Some(key)).filter_map(|v| v.version_id().map(str::to_string)).collect();
            versions.extend(listing.delete_markers().iter().filter(|m| m.key() == Some(key)).filter_map(|m| m.version_id().map(str::to_string)));
            if versions.is_empty() {
                self.client.delete_object().bucket(&self.config.bucket).key(key).send().await.map_err(|e| classify("delete", key, e))?;
            }
            for v in versions {
                self.client.delete_object().bucket(&self.config.bucket).key(key).version_id(v).send().await.map_err(|e| classify("delete", key, e))?;
            }
            Ok(())
        })
    }
}
