//! The benchmark's target: a small, fast HTTP server on 127.0.0.1 that serves as many distinct
//! landing pages as a benchmark asks for, so `bench/run.sh` can compare linkgate, lychee and
//! wrk on the same URLs without touching the internet. It must cost little CPU per page, since
//! it shares the machine with the client being measured.
//!
//! `GET /p/{i}` is landing page `i`: 20–60 KB of realistic HTML (head, inline CSS and scripts,
//! nav, a product description in Chinese), one in five in GBK, one in four reading
//! `window.location` in a script (so linkgate's engine parses them for script redirects, as it
//! must for many real pages). Pages are built from a few
//! templates made at start, and page `i` differs from every other by its title, so each has
//! its own content hash, as real pages do. `GET /r/{i}` is one 302 hop to `/p/{i}`.
//!
//! ```sh
//! cargo run --release --example bench_target -- --port 18480 --lifetime 1800
//! ```
//!
//! The server stops by itself after `--lifetime` seconds (default 3600), so a benchmark that
//! dies never leaves it behind for long.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue, LOCATION};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// Distinct page layouts; page `i` uses template `i % TEMPLATES`.
const TEMPLATES: usize = 16;
/// One template in this many is served in GBK.
const GBK_EVERY: usize = 5;

/// A page layout cut around the title's number, already encoded in the page's charset.
struct Template {
    before: Vec<u8>,
    after: Vec<u8>,
    content_type: HeaderValue,
}

struct Site {
    templates: Vec<Template>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let options = Options::parse(std::env::args().skip(1))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(options.threads)
        .enable_all()
        .build()?;
    runtime.block_on(serve(options))
}

struct Options {
    port: u16,
    lifetime: Duration,
    threads: usize,
}

impl Options {
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
        let mut options = Options {
            port: 18480,
            lifetime: Duration::from_secs(3600),
            threads: 2,
        };
        while let Some(flag) = args.next() {
            let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
            let number = |what: &str| {
                value
                    .parse::<u64>()
                    .map_err(|e| format!("bad {what} `{value}`: {e}"))
            };
            match flag.as_str() {
                "--port" => options.port = number("port")? as u16,
                "--lifetime" => options.lifetime = Duration::from_secs(number("lifetime")?),
                "--threads" => options.threads = number("threads")?.max(1) as usize,
                other => {
                    return Err(format!(
                        "unknown flag {other}; use --port N, --lifetime SECONDS, --threads N"
                    ));
                }
            }
        }
        Ok(options)
    }
}

async fn serve(options: Options) -> Result<(), Box<dyn std::error::Error>> {
    let site = Arc::new(Site::new());
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], options.port))).await?;
    println!(
        "bench_target listening on http://{}",
        listener.local_addr()?
    );
    let stop = tokio::time::sleep(options.lifetime);
    tokio::pin!(stop);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => accepted?,
            () = &mut stop => return Ok(()),
        };
        stream.set_nodelay(true)?;
        let site = site.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let site = site.clone();
                async move { Ok::<_, Infallible>(site.respond(&request)) }
            });
            // A client closing mid-response is normal at the end of a benchmark.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

impl Site {
    fn new() -> Site {
        Site {
            templates: (0..TEMPLATES).map(template).collect(),
        }
    }

    fn respond(&self, request: &Request<Incoming>) -> Response<Full<Bytes>> {
        let path = request.uri().path();
        if let Some(i) = path.strip_prefix("/p/").and_then(|n| n.parse::<u64>().ok()) {
            return self.page(i);
        }
        if let Some(i) = path.strip_prefix("/r/").and_then(|n| n.parse::<u64>().ok()) {
            let mut response = Response::new(Full::new(Bytes::new()));
            *response.status_mut() = StatusCode::FOUND;
            if let Ok(location) = HeaderValue::from_str(&format!("/p/{i}")) {
                response.headers_mut().insert(LOCATION, location);
            }
            return response;
        }
        let mut response = Response::new(Full::new(Bytes::from_static(b"not found")));
        *response.status_mut() = StatusCode::NOT_FOUND;
        response
    }

    fn page(&self, i: u64) -> Response<Full<Bytes>> {
        let template = &self.templates[(i % TEMPLATES as u64) as usize];
        let number = i.to_string();
        let mut body =
            Vec::with_capacity(template.before.len() + number.len() + template.after.len());
        body.extend_from_slice(&template.before);
        body.extend_from_slice(number.as_bytes());
        body.extend_from_slice(&template.after);
        let mut response = Response::new(Full::new(Bytes::from(body)));
        response
            .headers_mut()
            .insert(CONTENT_TYPE, template.content_type.clone());
        response
    }
}

/// Template `n`: its size grows with `n` from about 20 KB to about 60 KB.
fn template(n: usize) -> Template {
    let gbk = n.is_multiple_of(GBK_EVERY);
    let reads_location = n % 4 == 1;
    let charset = if gbk { "gbk" } else { "utf-8" };
    let target_size = 20_000 + n * 40_000 / (TEMPLATES - 1);
    let head = format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"{charset}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"description\" content=\"正品保障，七天无理由退货，官方旗舰店\">\n\
         <title>宝贝详情 第"
    );
    let mut rest = format!(
        "号 - 手机淘宝</title>\n<style>\n{}</style>\n<script>\nwindow.__INIT_DATA__ = {{\"itemId\": {n}, \
         \"shop\": \"官方旗舰店\", \"price\": \"199.00\", \"tags\": [\"包邮\", \"正品\"]}};\n\
         function track(e) {{ if (window.navigator) {{ return e; }} }}\n{}</script>\n</head>\n<body>\n\
         <header class=\"nav\"><a href=\"/\">首页</a> <a href=\"/cart\">购物车</a> \
         <a href=\"/me\">我的淘宝</a></header>\n<main id=\"detail\">\n<h1 class=\"title\">宝贝详情</h1>\n",
        css(),
        if reads_location {
            "var from = window.location.search;\n"
        } else {
            ""
        }
    );
    let mut section = 0;
    while head.len() + rest.len() < target_size {
        section += 1;
        rest.push_str(&format!(
            "<section class=\"desc\" id=\"s{section}\">\n<h2>商品描述 {section}</h2>\n\
             <p>这款商品采用优质材料精心制作，做工精细，经久耐用。我们承诺所有商品均为正品，\
             支持七天无理由退换货，全国包邮，下单后四十八小时内发货。</p>\n\
             <ul><li>品牌：示例品牌</li><li>产地：浙江杭州</li><li>规格：标准款 {section}</li></ul>\n\
             <p><a href=\"/item/{n}/{section}\">查看更多详情</a> | \
             <a href=\"/shop/{n}\">进入店铺</a></p>\n</section>\n"
        ));
    }
    rest.push_str(
        "</main>\n<footer>© 示例网络 版权所有</footer>\n\
         <script>document.addEventListener('click', track);</script>\n</body>\n</html>\n",
    );
    let encode = |text: &str| -> Vec<u8> {
        if gbk {
            encoding_rs::GBK.encode(text).0.into_owned()
        } else {
            text.as_bytes().to_vec()
        }
    };
    Template {
        before: encode(&head),
        after: encode(&rest),
        content_type: HeaderValue::from_static(if gbk {
            "text/html; charset=GBK"
        } else {
            "text/html; charset=utf-8"
        }),
    }
}

fn css() -> String {
    (0..40)
        .map(|i| format!(".c{i} {{ margin: {i}px; padding: 2px {i}px; color: #3{i:02}; }}\n"))
        .collect()
}
