//! A fake SMTP server for the outbox tests: it accepts (or refuses) every
//! message and keeps what it received.

use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Clone, Default)]
pub struct FakeSmtp {
    pub received: Arc<Mutex<Vec<String>>>,
}

impl FakeSmtp {
    /// Listens on `port`; with `refuse_recipients`, answers 550 to RCPT.
    pub async fn start(port: u16, refuse_recipients: bool) -> FakeSmtp {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("binding the fake SMTP port");
        let smtp = FakeSmtp::default();
        let received = smtp.received.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let received = received.clone();
                tokio::spawn(async move {
                    let (reader, mut writer) = stream.into_split();
                    let mut lines = BufReader::new(reader).lines();
                    let _ = writer.write_all(b"220 fake ESMTP\r\n").await;
                    let mut in_data = false;
                    let mut message = String::new();
                    while let Ok(Some(line)) = lines.next_line().await {
                        if in_data {
                            if line == "." {
                                in_data = false;
                                received.lock().unwrap().push(std::mem::take(&mut message));
                                let _ = writer.write_all(b"250 queued\r\n").await;
                            } else {
                                message.push_str(&line);
                                message.push('\n');
                            }
                            continue;
                        }
                        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                        let reply: &[u8] = match verb.as_str() {
                            "EHLO" => b"250-fake\r\n250 8BITMIME\r\n",
                            "HELO" => b"250 fake\r\n",
                            "RCPT" if refuse_recipients => b"550 no such user\r\n",
                            "DATA" => {
                                in_data = true;
                                b"354 go on\r\n"
                            }
                            "QUIT" => {
                                let _ = writer.write_all(b"221 bye\r\n").await;
                                break;
                            }
                            _ => b"250 ok\r\n",
                        };
                        let _ = writer.write_all(reply).await;
                    }
                });
            }
        });
        smtp
    }

    pub fn messages(&self) -> Vec<String> {
        self.received.lock().unwrap().clone()
    }
}

/// A port with nothing listening on it (yet).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
