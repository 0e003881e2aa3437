//! A client of pcscd's `vpcd` virtual reader driver (vsmartcard): it connects to the
//! driver's TCP port and answers as the card in that reader, so that every PC/SC
//! application sees the virtual chip exactly as a card on a USB reader.
//!
//! Wire format: each message is a 2-byte big-endian length then the payload. One-byte
//! payloads are control messages (0x00 power off, 0x01 power on, 0x02 reset, 0x04 get
//! ATR, which alone expects an answer); longer payloads are command APDUs.

use std::io::{self, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::chip::VirtualChip;

/// The default vpcd endpoint (CHANNELID 0x8C7B of /etc/reader.conf.d/vpcd).
pub const DEFAULT_ADDRESS: &str = "127.0.0.1:35963";

const POWER_OFF: u8 = 0x00;
const POWER_ON: u8 = 0x01;
const RESET: u8 = 0x02;
const GET_ATR: u8 = 0x04;

/// What happened on the link, for logs and progress output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VpcdEvent {
    Connected,
    Disconnected,
    PowerOn,
    PowerOff,
    Reset,
    Apdu { command: usize, response: usize },
}

/// How often a blocked read wakes up to look at the stop flag.
const POLL: Duration = Duration::from_millis(200);

/// Reads exactly `buf.len()` bytes. `Ok(false)` when stopped before the first byte.
fn read_exact_or_stop(
    stream: &mut TcpStream,
    buf: &mut [u8],
    stop: &AtomicBool,
) -> io::Result<bool> {
    let mut filled = 0;
    while filled < buf.len() {
        match stream.read(buf.get_mut(filled..).unwrap_or_default()) {
            Ok(0) => {
                return Err(io::Error::new(
                    ErrorKind::UnexpectedEof,
                    "vpcd closed the connection",
                ));
            }
            Ok(n) => filled += n,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if filled == 0 && stop.load(Ordering::Relaxed) {
                    return Ok(false);
                }
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

fn send(stream: &mut TcpStream, payload: &[u8]) -> io::Result<()> {
    let len = u16::try_from(payload.len())
        .map_err(|_| io::Error::new(ErrorKind::InvalidData, "answer longer than 65535 bytes"))?;
    let mut message = Vec::with_capacity(payload.len() + 2);
    message.extend_from_slice(&len.to_be_bytes());
    message.extend_from_slice(payload);
    stream.write_all(&message)
}

/// Serves `chip` over one vpcd connection until it closes or `stop` is set.
pub fn serve_connection(
    stream: &mut TcpStream,
    chip: &mut VirtualChip,
    stop: &AtomicBool,
    on_event: &mut dyn FnMut(VpcdEvent),
) -> io::Result<()> {
    stream.set_read_timeout(Some(POLL))?;
    stream.set_nodelay(true)?;
    loop {
        let mut header = [0u8; 2];
        if !read_exact_or_stop(stream, &mut header, stop)? {
            return Ok(());
        }
        let len = usize::from(u16::from_be_bytes(header));
        let mut payload = vec![0u8; len];
        read_exact_or_stop(stream, &mut payload, &AtomicBool::new(false))?;
        match payload.as_slice() {
            [POWER_OFF] => {
                chip.reset();
                on_event(VpcdEvent::PowerOff);
            }
            [POWER_ON] => {
                chip.reset();
                on_event(VpcdEvent::PowerOn);
            }
            [RESET] => {
                chip.reset();
                on_event(VpcdEvent::Reset);
            }
            [GET_ATR] => send(stream, &chip.atr())?,
            [_] | [] => {}
            command => {
                let answer = chip.process(command);
                send(stream, &answer)?;
                on_event(VpcdEvent::Apdu {
                    command: command.len(),
                    response: answer.len(),
                });
            }
        }
    }
}

/// Connects to vpcd at `address` and serves `chip`, reconnecting whenever pcscd goes
/// away, until `stop` is set. Every new connection is a card insertion: a fresh chip.
pub fn serve(
    address: &str,
    chip: &mut VirtualChip,
    stop: &AtomicBool,
    on_event: &mut dyn FnMut(VpcdEvent),
) -> io::Result<()> {
    while !stop.load(Ordering::Relaxed) {
        let mut stream = match TcpStream::connect(address) {
            Ok(s) => s,
            Err(e) if matches!(e.kind(), ErrorKind::ConnectionRefused | ErrorKind::TimedOut) => {
                std::thread::sleep(Duration::from_millis(500));
                continue;
            }
            Err(e) => return Err(e),
        };
        chip.reset();
        on_event(VpcdEvent::Connected);
        let result = serve_connection(&mut stream, chip, stop, on_event);
        chip.reset();
        on_event(VpcdEvent::Disconnected);
        match result {
            Ok(()) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::UnexpectedEof | ErrorKind::ConnectionReset | ErrorKind::BrokenPipe
                ) =>
            {
                std::thread::sleep(Duration::from_millis(200));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;
    use std::sync::Arc;

    use super::*;
    use crate::profile::{ChipProfile, OversizeRead};
    use crate::test_image::{ImageSpec, build};

    #[test]
    fn answers_atr_and_apdus_over_the_vpcd_framing() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let stop = Arc::new(AtomicBool::new(false));
        let image = build(&ImageSpec::new(ChipProfile {
            name: "vpcd".into(),
            bac: true,
            pace: vec![],
            chip_authentication: None,
            active_authentication: None,
            extended_length: false,
            max_read: 0xDF,
            oversize_read: OversizeRead::WrongLength,
        }))
        .unwrap();
        let mut chip = VirtualChip::new(image).unwrap();
        let expected_atr = chip.atr();
        let server_stop = stop.clone();
        let server = std::thread::spawn(move || {
            let mut events = Vec::new();
            serve(&address, &mut chip, &server_stop, &mut |e| events.push(e)).unwrap();
            events
        });
        let (mut pcscd, _) = listener.accept().unwrap();
        let mut exchange = |payload: &[u8], answer: bool| -> Vec<u8> {
            let mut msg = (payload.len() as u16).to_be_bytes().to_vec();
            msg.extend_from_slice(payload);
            pcscd.write_all(&msg).unwrap();
            if !answer {
                return vec![];
            }
            let mut header = [0u8; 2];
            pcscd.read_exact(&mut header).unwrap();
            let mut body = vec![0u8; u16::from_be_bytes(header) as usize];
            pcscd.read_exact(&mut body).unwrap();
            body
        };
        exchange(&[POWER_ON], false);
        assert_eq!(exchange(&[GET_ATR], true), expected_atr);
        // SELECT eMRTD application, then a protected file before BAC.
        assert_eq!(
            exchange(&hex::decode("00A4040C07A0000002471001").unwrap(), true),
            [0x90, 0x00]
        );
        assert_eq!(
            exchange(&hex::decode("00A4020C020101").unwrap(), true),
            [0x69, 0x82]
        );
        stop.store(true, Ordering::Relaxed);
        drop(pcscd);
        let events = server.join().unwrap();
        assert_eq!(events.first(), Some(&VpcdEvent::Connected));
        assert!(events.contains(&VpcdEvent::PowerOn));
        assert_eq!(
            events
                .iter()
                .filter(|e| matches!(e, VpcdEvent::Apdu { .. }))
                .count(),
            2
        );
    }
}
