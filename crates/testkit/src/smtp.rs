//! A small real SMTP receiver for the tests: plain SMTP on a local port (EHLO/HELO,
//! MAIL, RCPT, DATA, RSET, NOOP, QUIT), keeping every message it accepts. It can be
//! stopped (the port then refuses connections, as a mail server that is down) and
//! started again on the same port. [`Received`] decodes what a mail client would show:
//! RFC 2047 subjects and base64 or quoted-printable bodies.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// One message as delivered.
#[derive(Debug, Clone)]
pub struct Received {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    /// The message as sent after DATA (headers and body, CRLF line ends, dots unstuffed).
    pub data: String,
}

pub struct SmtpReceiver {
    address: SocketAddr,
    messages: Arc<Mutex<Vec<Received>>>,
    /// Recipients answered `550` (no such mailbox), as a real server refuses them.
    refused: Arc<Mutex<Vec<String>>>,
    task: Option<JoinHandle<()>>,
}

impl SmtpReceiver {
    /// Listens on a free local port.
    pub async fn start() -> SmtpReceiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind SMTP");
        let address = listener.local_addr().expect("SMTP address");
        let messages = Arc::new(Mutex::new(Vec::new()));
        let refused = Arc::new(Mutex::new(Vec::new()));
        let task = Some(tokio::spawn(accept(
            listener,
            messages.clone(),
            refused.clone(),
        )));
        SmtpReceiver {
            address,
            messages,
            refused,
            task,
        }
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// Stops listening and drops open connections: the port refuses from now on.
    pub async fn stop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }

    /// Listens again on the same port, keeping the messages received so far.
    pub async fn restart(&mut self) {
        self.stop().await;
        let listener = TcpListener::bind(self.address)
            .await
            .expect("bind SMTP again on the same port");
        self.task = Some(tokio::spawn(accept(
            listener,
            self.messages.clone(),
            self.refused.clone(),
        )));
    }

    /// From now on, answers RCPT TO `address` with a permanent refusal.
    pub fn refuse(&self, address: &str) {
        self.refused
            .lock()
            .expect("refused")
            .push(address.to_owned());
    }

    pub fn messages(&self) -> Vec<Received> {
        self.messages.lock().expect("messages").clone()
    }

    /// Waits (up to `timeout`) until at least `n` messages arrived, and returns them all.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let messages = self.messages();
            if messages.len() >= n {
                return messages;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "expected {n} mails, received {}",
                messages.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpReceiver {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Accepts connections until aborted; each session runs in the same task set, so that
/// aborting stops them all.
async fn accept(
    listener: TcpListener,
    messages: Arc<Mutex<Vec<Received>>>,
    refused: Arc<Mutex<Vec<String>>>,
) {
    let mut sessions = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                sessions.spawn(session(stream, messages.clone(), refused.clone()));
            }
            Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
        }
    }
}

async fn session(
    stream: TcpStream,
    messages: Arc<Mutex<Vec<Received>>>,
    refused: Arc<Mutex<Vec<String>>>,
) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    if !reply(&mut write, "220 mamori-test ESMTP ready").await {
        return;
    }
    let mut mail_from = String::new();
    let mut rcpt_to = Vec::new();
    loop {
        let mut line = String::new();
        match lines.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let command = line.trim_end().to_owned();
        let upper = command.to_ascii_uppercase();
        let answer = if upper.starts_with("EHLO") {
            "250-mamori-test greets you\r\n250-8BITMIME\r\n250 SMTPUTF8".to_owned()
        } else if upper.starts_with("HELO") {
            "250 mamori-test".to_owned()
        } else if upper.starts_with("MAIL FROM:") {
            mail_from = path_of(&command["MAIL FROM:".len()..]);
            rcpt_to.clear();
            "250 OK".to_owned()
        } else if upper.starts_with("RCPT TO:") {
            let recipient = path_of(&command["RCPT TO:".len()..]);
            if refused.lock().expect("refused").contains(&recipient) {
                "550 5.1.1 No such mailbox".to_owned()
            } else {
                rcpt_to.push(recipient);
                "250 OK".to_owned()
            }
        } else if upper == "DATA" {
            if !reply(&mut write, "354 End data with <CR><LF>.<CR><LF>").await {
                return;
            }
            let mut data = String::new();
            loop {
                let mut line = String::new();
                match lines.read_line(&mut line).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            messages.lock().expect("messages").push(Received {
                mail_from: mail_from.clone(),
                rcpt_to: std::mem::take(&mut rcpt_to),
                data,
            });
            "250 OK queued".to_owned()
        } else if upper == "RSET" {
            mail_from.clear();
            rcpt_to.clear();
            "250 OK".to_owned()
        } else if upper == "NOOP" {
            "250 OK".to_owned()
        } else if upper == "QUIT" {
            let _ = reply(&mut write, "221 Bye").await;
            return;
        } else {
            "502 Command not implemented".to_owned()
        };
        if !reply(&mut write, &answer).await {
            return;
        }
    }
}

async fn reply(write: &mut tokio::net::tcp::OwnedWriteHalf, text: &str) -> bool {
    write
        .write_all(format!("{text}\r\n").as_bytes())
        .await
        .is_ok()
}

/// `<a@b>` (with any parameters after it) → `a@b`.
fn path_of(argument: &str) -> String {
    let argument = argument.trim();
    match (argument.find('<'), argument.find('>')) {
        (Some(start), Some(end)) if start < end => argument[start + 1..end].to_owned(),
        _ => argument.split_whitespace().next().unwrap_or("").to_owned(),
    }
}

impl Received {
    /// The headers, unfolded, as (name, raw value).
    pub fn headers(&self) -> Vec<(String, String)> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or("");
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in head.split("\r\n") {
            if line.starts_with([' ', '\t']) {
                if let Some(last) = headers.last_mut() {
                    last.1.push_str(line);
                }
            } else if let Some((name, value)) = line.split_once(':') {
                headers.push((name.trim().to_owned(), value.trim().to_owned()));
            }
        }
        headers
    }

    /// The raw value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers()
            .into_iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// The subject as a mail client shows it.
    pub fn subject(&self) -> String {
        decode_words(&self.header("Subject").unwrap_or_default())
    }

    /// The body decoded by its Content-Transfer-Encoding, as UTF-8.
    pub fn body_text(&self) -> String {
        let body = self.data.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        let encoding = self
            .header("Content-Transfer-Encoding")
            .unwrap_or_default()
            .to_ascii_lowercase();
        let bytes = match encoding.as_str() {
            "base64" => base64::engine::general_purpose::STANDARD
                .decode(body.split_whitespace().collect::<String>())
                .expect("base64 body"),
            "quoted-printable" => quoted_printable(body),
            _ => body.as_bytes().to_vec(),
        };
        String::from_utf8(bytes)
            .expect("a UTF-8 body")
            .replace("\r\n", "\n")
    }
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`); whitespace
/// between two encoded words is dropped, as the RFC says.
pub fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    let mut after_word = false;
    while !rest.is_empty() {
        let Some(start) = rest.find("=?") else {
            out.push_str(rest);
            break;
        };
        let between = &rest[..start];
        if !(after_word && between.trim().is_empty()) {
            out.push_str(between);
        }
        let word = &rest[start + 2..];
        let parts: Vec<&str> = word.splitn(3, '?').collect();
        let end = parts.get(2).and_then(|text| text.find("?="));
        let (Some(charset), Some(mode), Some(end)) = (parts.first(), parts.get(1), end) else {
            out.push_str(&rest[start..]);
            break;
        };
        assert!(charset.eq_ignore_ascii_case("utf-8"), "charset {charset}");
        let text = &parts[2][..end];
        let bytes = if mode.eq_ignore_ascii_case("b") {
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .expect("base64 word")
        } else {
            quoted_printable(&text.replace('_', " "))
        };
        out.push_str(&String::from_utf8(bytes).expect("UTF-8 word"));
        let consumed = 2 + charset.len() + 1 + mode.len() + 1 + end + 2;
        rest = &rest[start + consumed..];
        after_word = true;
    }
    out
}

fn quoted_printable(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'=' if bytes.get(i + 1) == Some(&b'\r') && bytes.get(i + 2) == Some(&b'\n') => i += 3,
            b'=' if bytes.get(i + 1) == Some(&b'\n') => i += 2,
            b'=' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("hex");
                out.push(u8::from_str_radix(hex, 16).expect("QP escape"));
                i += 3;
            }
            other => {
                out.push(other);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_words_decode_to_japanese() {
        assert_eq!(
            decode_words("[mamori] =?utf-8?b?56K66KqN?= =?utf-8?q?=E3=81=AE?="),
            "[mamori] 確認の"
        );
        assert_eq!(decode_words("plain subject"), "plain subject");
        assert_eq!(quoted_printable("a=3Db=\r\nc"), b"a=bc");
    }
}
