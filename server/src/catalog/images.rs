//! From a tag to its images: fetch the manifest, resolve an index to its
//! per-platform manifests, read each configuration, and shape the DTOs.
//! What a manifest digest resolves to never changes, so it is remembered
//! per registry entry ([`ImageMemo`]): a warm page neither re-parses
//! manifests and configurations nor rebuilds its rows.

use std::sync::Arc;

use app::model::{Descriptor, ImageDetail, Platform, TagDetail, TagSummary};
use futures::StreamExt;
use oci_spec::image::{Descriptor as OciDescriptor, ImageManifest};

use crate::cache::CachedRegistry;
use crate::registry::{ImageConfig, Manifest, RegistryError, parse_config, parse_manifest};

/// Platform manifests read at once for one index.
const PLATFORM_CONCURRENCY: usize = 4;
/// An index with more entries than this is refused (a hostile registry
/// could otherwise make one page fan out into thousands of requests).
const MAX_INDEX_ENTRIES: usize = 256;

/// Bytes of resolved images one registry entry keeps (estimated by
/// [`weight`]); the least used go first.
const MEMO_BYTES: u64 = 16 * 1024 * 1024;

/// One manifest digest, resolved: its images, and its row of the tags table
/// without a name.
#[derive(Debug)]
pub struct Resolved {
    /// `reference` is the digest; a caller that asked by tag sets its own.
    pub detail: TagDetail,
    row: TagSummary,
}

impl Resolved {
    /// The tags table's row for `name`, which points at this digest.
    pub fn row(&self, name: String) -> TagSummary {
        TagSummary { name, ..self.row.clone() }
    }

    /// The tag page's detail, as asked for by `reference`.
    pub fn detail(&self, reference: &str) -> TagDetail {
        TagDetail { reference: reference.to_string(), ..self.detail.clone() }
    }
}

/// Resolved digests of one registry entry, keyed by (repository, digest).
/// An entry is rebuilt on resync, and its memo with it, so a changed
/// registry configuration never answers from an old one.
#[derive(Debug)]
pub struct ImageMemo {
    memo: quick_cache::sync::Cache<(String, String), Arc<Resolved>, ByWeight>,
}

impl Default for ImageMemo {
    fn default() -> Self {
        Self { memo: quick_cache::sync::Cache::with_weighter(4096, MEMO_BYTES, ByWeight) }
    }
}

#[derive(Debug, Clone)]
struct ByWeight;

impl quick_cache::Weighter<(String, String), Arc<Resolved>> for ByWeight {
    fn weight(&self, key: &(String, String), value: &Arc<Resolved>) -> u64 {
        (key.0.len() + key.1.len()) as u64 + weight(&value.detail)
    }
}

/// Roughly the heap a resolved detail holds; what bounds the memo.
fn weight(detail: &TagDetail) -> u64 {
    let strings = |v: &[String]| v.iter().map(|s| s.len() + 24).sum::<usize>();
    let images: usize = detail
        .images
        .iter()
        .map(|i| {
            512 + i.layers.len() * 160
                + i.labels.iter().map(|(k, v)| k.len() + v.len() + 64).sum::<usize>()
                + strings(&i.env)
                + strings(&i.entrypoint)
                + strings(&i.cmd)
                + i.history.len() * 256
        })
        .sum();
    (1024 + images + detail.attestations.len() * 160) as u64
}

impl ImageMemo {
    /// Everything about one tag or digest: the tag's manifest is read
    /// through the cache (a tag moves), the rest comes from the memo when
    /// its digest was resolved before.
    pub async fn resolve(
        &self,
        client: &CachedRegistry,
        repository: &str,
        reference: &str,
    ) -> Result<Arc<Resolved>, RegistryError> {
        let fetched = client.get_manifest(repository, reference).await?;
        let key = (repository.to_string(), fetched.digest.clone());
        if let Some(found) = self.memo.get(&key) {
            return Ok(found);
        }
        let detail = resolve_fetched(client, repository, &fetched).await?;
        let row = summarize(String::new(), &detail);
        let resolved = Arc::new(Resolved { detail, row });
        self.memo.insert(key, resolved.clone());
        Ok(resolved)
    }
}

/// Resolves a manifest already fetched (by tag or digest).
async fn resolve_fetched(
    client: &CachedRegistry,
    repository: &str,
    fetched: &crate::registry::FetchedManifest,
) -> Result<TagDetail, RegistryError> {
    let manifest = parse_manifest(&fetched.media_type, &fetched.body)?;
    let (media_type, images, attestations, is_index) = match manifest {
        Manifest::Image(m) => {
            let media_type =
                m.media_type().as_ref().map(ToString::to_string).unwrap_or_else(|| fetched.media_type.clone());
            let image = image_detail(client, repository, &fetched.digest, &media_type, &m, None).await?;
            (media_type, vec![image], Vec::new(), false)
        }
        Manifest::Index(index) => {
            let media_type =
                index.media_type().as_ref().map(ToString::to_string).unwrap_or_else(|| fetched.media_type.clone());
            let entries = index.manifests();
            if entries.len() > MAX_INDEX_ENTRIES {
                return Err(RegistryError::InvalidResponse(format!(
                    "the index lists {} manifests; the limit is {MAX_INDEX_ENTRIES}",
                    entries.len()
                )));
            }
            let (attest, platforms): (Vec<OciDescriptor>, Vec<OciDescriptor>) =
                entries.iter().cloned().partition(is_attestation);
            let images: Vec<Result<ImageDetail, RegistryError>> = futures::stream::iter(platforms)
                .map(|d| async move { platform_image(client, repository, &d).await })
                .buffered(PLATFORM_CONCURRENCY)
                .collect()
                .await;
            let images = images.into_iter().collect::<Result<Vec<_>, _>>()?;
            (media_type, images, attest.iter().map(descriptor).collect(), true)
        }
    };
    Ok(TagDetail {
        repository: repository.to_string(),
        reference: fetched.digest.clone(),
        digest: fetched.digest.clone(),
        media_type,
        is_index,
        images,
        attestations,
        vulnerabilities: None,
    })
}

/// A row of the tags table from a resolved tag.
fn summarize(name: String, detail: &TagDetail) -> TagSummary {
    let platforms: Vec<Platform> = detail
        .images
        .iter()
        .map(|i| match &i.platform {
            Some(p) => Platform { size: Some(i.total_size), ..p.clone() },
            None => Platform {
                os: i.os.clone().unwrap_or_else(|| "unknown".into()),
                architecture: i.architecture.clone().unwrap_or_else(|| "unknown".into()),
                variant: None,
                digest: i.digest.clone(),
                size: Some(i.total_size),
            },
        })
        .collect();
    TagSummary {
        name,
        digest: Some(detail.digest.clone()),
        media_type: Some(detail.media_type.clone()),
        size: (!detail.is_index).then(|| detail.images.first().map(|i| i.total_size)).flatten(),
        platforms,
        pushed: None,
        pulled: None,
        signed: false,
        vulnerabilities: None,
        created: detail.images.iter().filter_map(|i| i.created.clone()).max(),
        error: None,
    }
}

/// buildx lists provenance and SBOM manifests in the index with platform
/// unknown/unknown and this annotation; they are not platforms.
pub(crate) fn is_attestation(d: &OciDescriptor) -> bool {
    let annotated = d
        .annotations()
        .as_ref()
        .and_then(|a| a.get("vnd.docker.reference.type"))
        .is_some_and(|v| v == "attestation-manifest");
    let unknown = d
        .platform()
        .as_ref()
        .is_some_and(|p| p.os().to_string() == "unknown" && p.architecture().to_string() == "unknown");
    annotated || unknown
}

fn descriptor(d: &OciDescriptor) -> Descriptor {
    Descriptor { media_type: d.media_type().to_string(), digest: d.digest().to_string(), size: d.size() }
}

async fn platform_image(
    client: &CachedRegistry,
    repository: &str,
    d: &OciDescriptor,
) -> Result<ImageDetail, RegistryError> {
    let digest = d.digest().to_string();
    let fetched = client.get_manifest(repository, &digest).await?;
    let manifest = match parse_manifest(&fetched.media_type, &fetched.body)? {
        Manifest::Image(m) => m,
        Manifest::Index(_) => {
            return Err(RegistryError::InvalidResponse(format!("{digest}: nested indexes are not supported")));
        }
    };
    let platform = d.platform().as_ref().map(|p| Platform {
        os: p.os().to_string(),
        architecture: p.architecture().to_string(),
        variant: p.variant().clone(),
        digest: digest.clone(),
        size: None,
    });
    let media_type = d.media_type().to_string();
    image_detail(client, repository, &fetched.digest, &media_type, &manifest, platform).await
}

async fn image_detail(
    client: &CachedRegistry,
    repository: &str,
    digest: &str,
    media_type: &str,
    manifest: &ImageManifest,
    platform: Option<Platform>,
) -> Result<ImageDetail, RegistryError> {
    let config_descriptor = descriptor(manifest.config());
    let layers: Vec<Descriptor> = manifest.layers().iter().map(descriptor).collect();
    let total_size = layers.iter().map(|l| l.size).fold(config_descriptor.size, u64::saturating_add);
    let config = if client.can_read_blobs() {
        parse_config(&client.get_config_blob(repository, &config_descriptor.digest).await?)?
    } else {
        ImageConfig::default()
    };
    let platform = platform.map(|p| Platform { size: Some(total_size), ..p });
    Ok(ImageDetail {
        platform,
        digest: digest.to_string(),
        media_type: media_type.to_string(),
        config: config_descriptor,
        layers,
        total_size,
        os: config.os,
        architecture: config.architecture,
        created: config.created,
        labels: config.labels,
        entrypoint: config.entrypoint,
        cmd: config.cmd,
        env: config.env,
        working_dir: config.working_dir,
        user: config.user,
        history: config.history,
    })
}
