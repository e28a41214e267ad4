//! The simulator survives bad clients (garbage, stalled headers, a CONNECT that never speaks
//! TLS), serves many connections at once, sends leaf + CA, serves its own page, and stops.

mod support;

use std::sync::Arc;
use std::time::Duration;
use support::sim::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};

/// Reads until the server closes the connection; panics if it does not within `limit`.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> Vec<u8> {
    let mut all = Vec::new();
    let read = tokio::time::timeout(limit, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => all.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(read.is_ok(), "the simulator kept a bad connection open");
    all
}

async fn still_serves(sim: &linkgate::sim::Simulator) {
    let client = client(sim, CHROME_UA);
    assert_eq!(get(&client, "https://www.douyin.com/").await.status, 200);
}

#[tokio::test]
async fn garbage_bytes_get_a_400_and_the_simulator_goes_on() {
    let sim = start("2021-09-17").await;
    let mut stream = TcpStream::connect(sim.addr()).await.unwrap();
    stream
        .write_all(b"\x16\x03\x01\xff\xfe garbage \x00\x01\r\n\r\n")
        .await
        .unwrap();
    let answer = read_until_closed(&mut stream, Duration::from_secs(10)).await;
    assert!(
        answer.is_empty() || answer.starts_with(b"HTTP/1.1 400"),
        "{answer:?}"
    );
    still_serves(&sim).await;
    assert!(sim.stats().bad_clients >= 1);
}

#[tokio::test]
async fn stalled_headers_are_timed_out() {
    let sim = start("2021-09-17").await;
    let mut stream = TcpStream::connect(sim.addr()).await.unwrap();
    stream
        .write_all(b"GET http://www.douyin.com/ HTTP/1.1\r\nHost: www.dou")
        .await
        .unwrap();
    read_until_closed(&mut stream, Duration::from_secs(10)).await;
    let mut silent = TcpStream::connect(sim.addr()).await.unwrap();
    read_until_closed(&mut silent, Duration::from_secs(10)).await;
    still_serves(&sim).await;
}

#[tokio::test]
async fn a_connect_that_never_speaks_tls_is_dropped() {
    let sim = start("2021-09-17").await;
    let mut stream = TcpStream::connect(sim.addr()).await.unwrap();
    stream
        .write_all(b"CONNECT www.douyin.com:443 HTTP/1.1\r\nHost: www.douyin.com:443\r\n\r\n")
        .await
        .unwrap();
    let answer = read_until_closed(&mut stream, Duration::from_secs(10)).await;
    assert!(
        answer.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&answer)
    );

    let mut plain = TcpStream::connect(sim.addr()).await.unwrap();
    plain
        .write_all(b"CONNECT www.douyin.com:443 HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n")
        .await
        .unwrap();
    read_until_closed(&mut plain, Duration::from_secs(10)).await;

    still_serves(&sim).await;
    assert!(sim.stats().bad_clients >= 2, "{:?}", sim.stats());
}

#[tokio::test]
async fn two_hundred_requests_at_once_through_the_proxy() {
    let sim = start("2021-09-17").await;
    let client = client(&sim, CHROME_UA);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..200 {
        let client = client.clone();
        tasks.spawn(async move {
            let url = if i % 2 == 0 {
                format!("https://www.douyin.com/video/{i}")
            } else {
                format!("http://item.jd.com/{i}.html")
            };
            client.get(&url).send().await.map(|r| r.status().as_u16())
        });
    }
    let mut ok = 0;
    while let Some(done) = tasks.join_next().await {
        assert_eq!(done.unwrap().unwrap(), 200);
        ok += 1;
    }
    assert_eq!(ok, 200);
    let stats = sim.stats();
    assert_eq!(stats.per_host.get("www.douyin.com"), Some(&100));
    assert_eq!(stats.per_host.get("item.jd.com"), Some(&100));
}

#[tokio::test]
async fn the_tls_chain_is_leaf_then_ca() {
    let sim = start("2021-09-17").await;
    let ca = CertificateDer::from_pem_slice(sim.ca_pem().as_bytes()).unwrap();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.clone()).unwrap();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let mut stream = TcpStream::connect(sim.addr()).await.unwrap();
    stream
        .write_all(b"CONNECT item.taobao.com:443 HTTP/1.1\r\nHost: item.taobao.com:443\r\n\r\n")
        .await
        .unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        head.push(stream.read_u8().await.unwrap());
    }
    assert!(head.starts_with(b"HTTP/1.1 200 OK\r\n"), "{head:?}");
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let name = ServerName::try_from("item.taobao.com").unwrap();
    let tls = connector.connect(name, stream).await.unwrap();
    let chain = tls.get_ref().1.peer_certificates().unwrap();
    assert_eq!(chain.len(), 2);
    assert_eq!(chain[1], ca, "the CA comes second");
}

#[tokio::test]
async fn the_simulator_serves_its_own_page_and_ca() {
    let sim = start("2021-09-17").await;
    let direct = reqwest::Client::builder().no_proxy().build().unwrap();
    let base = format!("http://{}", sim.addr());
    let home = direct
        .get(&base)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        home.contains("linkgate platform simulator") && home.contains("2021-09-17"),
        "{home}"
    );
    let ca = direct
        .get(format!("{base}/ca.pem"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(ca, sim.ca_pem());
}

#[tokio::test]
async fn shutdown_closes_open_connections_and_stops_listening() {
    let sim = start("2021-09-17").await;
    let addr = sim.addr();
    let mut idle = TcpStream::connect(addr).await.unwrap();
    idle.write_all(b"GET http://www.douyin.com/ HTTP/1.1\r\nHost: www.douyin.com\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 12];
    idle.read_exact(&mut buf).await.unwrap();
    assert_eq!(&buf, b"HTTP/1.1 200");
    sim.shutdown().await;
    read_until_closed(&mut idle, Duration::from_secs(10)).await;
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "still listening after shutdown"
    );
}

#[tokio::test]
async fn dropping_the_handle_stops_the_simulator() {
    let sim = start("2021-09-17").await;
    let addr = sim.addr();
    drop(sim);
    let refused = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if TcpStream::connect(addr).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(refused.is_ok(), "still listening after drop");
}
