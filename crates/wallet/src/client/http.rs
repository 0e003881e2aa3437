//! The one seam between the wallet and the network: a request goes out, a status and
//! a body come back. [`ReqwestHttp`] is the real one; a phone UI can bring its own
//! (its platform's HTTP stack, certificate pinning) and tests can drive the protocol
//! logic without sockets.

use std::io::Read;
use std::time::Duration;

/// The HTTP methods the `/v1` API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    /// Upper case, as in a device proof's `htm`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// One request, relative to the server's base URL.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    pub method: Method,
    /// Absolute path, e.g. `/v1/account` (no query).
    pub path: String,
    /// Extra headers (the device proof).
    pub headers: Vec<(&'static str, String)>,
    /// JSON body; empty for GET and body-less POSTs.
    pub body: Vec<u8>,
}

/// What came back.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    pub body: Vec<u8>,
}

/// The network failed (no answer at all; an error status is an [`HttpResponse`]).
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("invalid server URL {url:?}: {reason}")]
    BadUrl { url: String, reason: String },
    #[error("cannot reach the server: {0}")]
    Unreachable(String),
    #[error("the server's answer is larger than {limit} bytes")]
    TooLarge { limit: usize },
}

/// Sends requests to one server.
pub trait HttpClient {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError>;
}

impl<H: HttpClient + ?Sized> HttpClient for &H {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        (**self).send(request)
    }
}

/// Bound on an answer's body: the largest is a credential or a history page.
pub const MAX_RESPONSE_LEN: usize = 4 * 1024 * 1024;

/// [`HttpClient`] over `reqwest` (rustls), blocking.
#[derive(Debug, Clone)]
pub struct ReqwestHttp {
    base: reqwest::Url,
    client: reqwest::blocking::Client,
}

impl ReqwestHttp {
    /// A client for the server at `base_url` (`https://…`; `http://` is accepted for
    /// loopback test servers only).
    pub fn new(base_url: &str) -> Result<Self, HttpError> {
        let bad = |reason: &str| HttpError::BadUrl {
            url: base_url.to_owned(),
            reason: reason.to_owned(),
        };
        let base = reqwest::Url::parse(base_url).map_err(|e| bad(&e.to_string()))?;
        match base.scheme() {
            "https" => {}
            "http" if is_loopback(&base) => {}
            "http" => return Err(bad("plain http is only allowed to this machine (loopback)")),
            _ => return Err(bad("not an http(s) URL")),
        }
        if base.query().is_some() || base.fragment().is_some() {
            return Err(bad("a base URL has no query or fragment"));
        }
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .connect_timeout(Duration::from_secs(15))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("alicem-wallet/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| HttpError::Unreachable(e.to_string()))?;
        Ok(Self { base, client })
    }

    fn url(&self, path: &str) -> String {
        // The base may carry a path prefix (`https://host/alicem`): keep it.
        let base = self.base.as_str().trim_end_matches('/');
        format!("{base}{path}")
    }
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host_str() {
        Some("localhost") => true,
        Some(host) => host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback()),
        None => false,
    }
}

impl HttpClient for ReqwestHttp {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        let url = self.url(&request.path);
        let mut builder = match request.method {
            Method::Get => self.client.get(&url),
            Method::Post if request.body.is_empty() => self.client.post(&url),
            Method::Post => self
                .client
                .post(&url)
                .header("content-type", "application/json")
                .body(request.body.clone()),
        };
        builder = builder.header("accept", "application/json");
        for (name, value) in &request.headers {
            builder = builder.header(*name, value);
        }
        let response = builder
            .send()
            .map_err(|e| HttpError::Unreachable(e.without_url().to_string()))?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        let limit = u64::try_from(MAX_RESPONSE_LEN).unwrap_or(u64::MAX);
        response
            .take(limit.saturating_add(1))
            .read_to_end(&mut body)
            .map_err(|e| HttpError::Unreachable(e.to_string()))?;
        if body.len() > MAX_RESPONSE_LEN {
            return Err(HttpError::TooLarge {
                limit: MAX_RESPONSE_LEN,
            });
        }
        Ok(HttpResponse { status, body })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_plain_http_except_to_this_machine() {
        assert!(ReqwestHttp::new("http://id.example.org").is_err());
        assert!(ReqwestHttp::new("ftp://id.example.org").is_err());
        assert!(ReqwestHttp::new("https://id.example.org/?q=1").is_err());
        assert!(ReqwestHttp::new("http://127.0.0.1:8080").is_ok());
        assert!(ReqwestHttp::new("http://localhost:8080").is_ok());
        assert!(ReqwestHttp::new("http://[::1]:8080").is_ok());
        assert!(ReqwestHttp::new("https://id.example.org").is_ok());
    }

    #[test]
    fn keeps_the_base_path_prefix() {
        let http = ReqwestHttp::new("https://id.example.org/alicem/").unwrap();
        assert_eq!(
            http.url("/v1/account"),
            "https://id.example.org/alicem/v1/account"
        );
    }
}
