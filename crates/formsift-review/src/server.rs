//! The HTTP server: 127.0.0.1 only, bounded bodies, one request at a time.
//!
//! Requests whose Host is not this machine's loopback name are refused (a
//! page on another site cannot reach the server through DNS rebinding), and
//! decisions must be sent as `application/json` (a plain cross-site form
//! cannot post one).

use crate::ReviewError;
use crate::api::{Answer, App, MAX_BODY, Request};
use std::io::Read;

/// A bound server.
pub struct Server {
    http: tiny_http::Server,
    /// The port it listens on.
    pub port: u16,
}

impl Server {
    /// Binds 127.0.0.1:`port` (0: a free port).
    pub fn bind(port: u16) -> Result<Server, ReviewError> {
        let http = tiny_http::Server::http(("127.0.0.1", port)).map_err(|e| ReviewError::Bind {
            port,
            message: e.to_string(),
        })?;
        let port = http.server_addr().to_ip().map(|a| a.port()).unwrap_or(port);
        Ok(Server { http, port })
    }

    /// The page's address.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// Answers requests until the process ends.
    pub fn run(self, app: &mut App) {
        for mut req in self.http.incoming_requests() {
            let answer = answer(app, &mut req, self.port);
            let mut response =
                tiny_http::Response::from_data(answer.body).with_status_code(answer.status);
            for (k, v) in [
                ("Content-Type", answer.content_type),
                ("Cache-Control", "no-store"),
                ("X-Content-Type-Options", "nosniff"),
            ] {
                if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
                    response.add_header(h);
                }
            }
            let _ = req.respond(response);
        }
    }
}

fn header<'a>(req: &'a tiny_http::Request, name: &str) -> Option<&'a str> {
    req.headers()
        .iter()
        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

fn answer(app: &mut App, req: &mut tiny_http::Request, port: u16) -> Answer {
    let host_ok = header(req, "Host").is_none_or(|h| {
        let name = h.rsplit_once(':').map_or(h, |(n, _)| n);
        matches!(name, "127.0.0.1" | "localhost" | "[::1]")
    });
    if !host_ok {
        return Answer::error(403, format!("only http://127.0.0.1:{port}/ is served"));
    }
    let method = req.method().as_str().to_string();
    if method == "POST" {
        let json = header(req, "Content-Type").is_some_and(|c| {
            c.trim()
                .to_ascii_lowercase()
                .starts_with("application/json")
        });
        if !json {
            return Answer::error(415, "send decisions as Content-Type: application/json");
        }
        if req.body_length().is_some_and(|n| n > MAX_BODY) {
            return Answer::error(413, format!("the body is over {MAX_BODY} bytes"));
        }
    }
    let mut body = Vec::new();
    if req
        .as_reader()
        .take(MAX_BODY as u64 + 1)
        .read_to_end(&mut body)
        .is_err()
    {
        return Answer::error(400, "the body could not be read");
    }
    if body.len() > MAX_BODY {
        return Answer::error(413, format!("the body is over {MAX_BODY} bytes"));
    }
    let url = req.url().to_string();
    app.handle(&Request {
        method: &method,
        url: &url,
        body: &body,
    })
}

/// Binds, calls `ready` with the page's address, and serves until the
/// process ends.
pub fn serve(app: &mut App, port: u16, ready: impl FnOnce(&str)) -> Result<(), ReviewError> {
    let server = Server::bind(port)?;
    ready(&server.url());
    server.run(app);
    Ok(())
}
