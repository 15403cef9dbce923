//! How accepted connections are set up. Pages stream, so a response is
//! written in several pieces; with Nagle's algorithm on, each piece after
//! the first waits for the client's ACK of the one before, and clients
//! delay ACKs by up to 40 ms. Measured before this (`bench_load.py`, 32
//! keep-alive connections): the first byte of every page left in about
//! 2 ms, the whole page took 44 ms at the median, whatever the page.

use axum::serve::{ListenerExt, TapIo};
use tokio::net::{TcpListener, TcpStream};

/// The listener Reestr serves on: every connection with `TCP_NODELAY`.
pub type Listener = TapIo<TcpListener, fn(&mut TcpStream)>;

/// `listener`, with `TCP_NODELAY` set on each connection it accepts.
pub fn no_delay(listener: TcpListener) -> Listener {
    listener.tap_io(set_no_delay as fn(&mut TcpStream))
}

fn set_no_delay(stream: &mut TcpStream) {
    if let Err(e) = stream.set_nodelay(true) {
        tracing::debug!(error = %e, "could not set TCP_NODELAY");
    }
}
