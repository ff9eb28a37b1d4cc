/**
 * SECURE-mode sessions: an ordered byte stream that outlives the path it started on. {@link
 * dev.punchd.session.SessionLink} is the {@link dev.punchd.transport.Link} the data pipe sees; it frames the
 * stream with acknowledgements inside the current path's TLS, keeps what the peer has not acknowledged and
 * resends it on the next path, which {@link dev.punchd.session.PathBinder} binds to the session with the
 * {@link dev.punchd.session.SessionTicket}'s secret. See {@code docs/design-notes.md}, "Sessions and path changes".
 */
package dev.punchd.session;
