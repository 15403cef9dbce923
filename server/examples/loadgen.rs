//! The load generator of `scripts/bench.sh`: a closed loop of N keep-alive
//! connections, each sending GETs one after another for a while, reporting
//! time to first byte (the response head) and to the full body, p50/p90/p99,
//! and requests per second. wrk times only the full response, and a
//! streamed page's first byte is what a browser starts working on.
//!
//!   loadgen [--connections 32] [--seconds 10] [--requests N] [--any-status] [--abandon-every N] URL [URL ...]
//!
//! With several URLs, each connection walks them in turn (offset by its
//! number), so distinct queries are spread over the run; with `--requests`,
//! the run stops after that many requests instead of after `--seconds`.
//! A response fails when it does not arrive whole, or (without
//! `--any-status`, for pages that answer 404 or 502 on purpose) when its
//! status is not 2xx. With `--abandon-every N`, every Nth request of a
//! connection is dropped 0 to 19 ms after it was sent, head or no head, as
//! a browser does when its user moves on before the page has loaded
//! (counted, not timed).
//! Prints one JSON object.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug, Default)]
struct Samples {
    first_byte: Vec<f64>,
    full: Vec<f64>,
    failed: u64,
    abandoned: u64,
    bytes: u64,
}

#[derive(Debug)]
struct Args {
    connections: usize,
    seconds: f64,
    requests: Option<u64>,
    any_status: bool,
    abandon_every: Option<u64>,
    urls: Vec<String>,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut out = Args {
        connections: 32,
        seconds: 10.0,
        requests: None,
        any_status: false,
        abandon_every: None,
        urls: Vec::new(),
    };
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--connections" => out.connections = value("--connections")?.parse().map_err(|e| format!("{e}"))?,
            "--seconds" => out.seconds = value("--seconds")?.parse().map_err(|e| format!("{e}"))?,
            "--requests" => out.requests = Some(value("--requests")?.parse().map_err(|e| format!("{e}"))?),
            "--any-status" => out.any_status = true,
            "--abandon-every" => {
                out.abandon_every =
                    Some(value("--abandon-every")?.parse().map_err(|e| format!("{e}"))?).filter(|n| *n > 0)
            }
            url if url.starts_with("http://") || url.starts_with("https://") => out.urls.push(url.to_string()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if out.urls.is_empty() || out.connections == 0 {
        return Err("usage: loadgen [--connections N] [--seconds S] [--requests N] [--any-status] [--abandon-every N] URL [URL ...]".into());
    }
    Ok(out)
}

/// The `p`th percentile (0–100) of sorted `v`, nearest rank.
fn percentile(v: &[f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
    v[rank.clamp(1, v.len()) - 1]
}

fn summary(mut v: Vec<f64>) -> serde_json::Value {
    v.sort_by(f64::total_cmp);
    serde_json::json!({
        "p50": percentile(&v, 50.0),
        "p90": percentile(&v, 90.0),
        "p99": percentile(&v, 99.0),
        "max": v.last().copied().unwrap_or(f64::NAN),
    })
}

/// An error with its causes.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(&format!(": {s}"));
        source = s.source();
    }
    out
}

/// Counts a failure; the first few are named on standard error.
fn failed(samples: &mut Samples, url: &str, why: &str) {
    if samples.failed < 3 {
        eprintln!("loadgen: {url}: {why}");
    }
    samples.failed += 1;
}

async fn connection(n: usize, args: Arc<Args>, deadline: Instant, issued: Arc<AtomicU64>) -> Samples {
    let mut samples = Samples::default();
    // One client per connection: its own pool, so one keep-alive connection each.
    let client = match reqwest::Client::builder().http1_only().pool_max_idle_per_host(1).build() {
        Ok(c) => c,
        Err(_) => return samples,
    };
    let mut i = n;
    loop {
        if Instant::now() >= deadline {
            break;
        }
        if let Some(limit) = args.requests
            && issued.fetch_add(1, Ordering::SeqCst) >= limit
        {
            break;
        }
        let url = &args.urls[i % args.urls.len()];
        i += 1;
        let started = Instant::now();
        if args.abandon_every.is_some_and(|every| (i as u64).is_multiple_of(every)) {
            let patience = Duration::from_millis(i as u64 % 20);
            let _ = tokio::time::timeout(patience, client.get(url).send()).await;
            samples.abandoned += 1;
            continue;
        }
        let response = match client.get(url).send().await {
            Ok(r) => r,
            Err(e) => {
                failed(&mut samples, url, &chain(&e));
                continue;
            }
        };
        let head = started.elapsed();
        let status = response.status();
        match response.bytes().await {
            Ok(body) if status.is_success() || args.any_status => {
                samples.first_byte.push(head.as_secs_f64() * 1000.0);
                samples.full.push(started.elapsed().as_secs_f64() * 1000.0);
                samples.bytes += body.len() as u64;
            }
            Ok(_) => failed(&mut samples, url, status.as_str()),
            Err(e) => failed(&mut samples, url, &chain(&e)),
        }
    }
    samples
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args = match parse(std::env::args().skip(1)) {
        Ok(a) => Arc::new(a),
        Err(e) => {
            eprintln!("loadgen: {e}");
            std::process::exit(2);
        }
    };
    let limit = if args.requests.is_some() { 3600.0 } else { args.seconds };
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(limit);
    let issued = Arc::new(AtomicU64::new(0));
    let tasks: Vec<_> =
        (0..args.connections).map(|n| tokio::spawn(connection(n, args.clone(), deadline, issued.clone()))).collect();
    let mut all = Samples::default();
    for t in tasks {
        if let Ok(s) = t.await {
            all.first_byte.extend(s.first_byte);
            all.full.extend(s.full);
            all.failed += s.failed;
            all.abandoned += s.abandoned;
            all.bytes += s.bytes;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let done = all.full.len();
    let report = serde_json::json!({
        "connections": args.connections,
        "seconds": elapsed,
        "requests": done,
        "failed": all.failed,
        "abandoned": all.abandoned,
        "requests_per_second": done as f64 / elapsed,
        "mean_body_bytes": if done > 0 { all.bytes / done as u64 } else { 0 },
        "first_byte_ms": summary(all.first_byte),
        "full_ms": summary(all.full),
    });
    println!("{report}");
}
