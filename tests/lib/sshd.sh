# A real sshd of the test world's own (sessions.t, pam-services.t): keys in
# $S, authorized keys per user in /etc/ssh/keys (the world's /etc copy),
# the daemon on a free port of 127.0.0.1.  The host's sshd is never
# touched.
#
# sshd_keys USER...: a host key and a client key in S=$WORLD/ssh, the
# client's public key authorized for each USER.
sshd_keys() {
	S=$WORLD/ssh
	mkdir -p "$S" /run/sshd /etc/ssh/keys && chmod 755 /run/sshd
	ssh-keygen -q -t ed25519 -N '' -f "$S/host" && ssh-keygen -q -t ed25519 -N '' -f "$S/client" \
		|| world_die "ssh-keygen"
	local u
	for u; do cp "$S/client.pub" "/etc/ssh/keys/$u"; done
}
# start_sshd LOG CMD...: run the sshd command line CMD -p PORT in the
# background on a free port (tried at random: other worlds share the
# network); sets PORT and SSHD_PID once it listens.
start_sshd() {
	local log=$1 try; shift
	for try in $(seq 10); do
		PORT=$((20000 + RANDOM % 30000))
		"$@" -p "$PORT" 2>"$log" &
		SSHD_PID=$!
		for _ in $(seq 50); do
			grep -q "^Server listening on 127.0.0.1 port $PORT" "$log" && return 0
			kill -0 "$SSHD_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill "$SSHD_PID" 2>/dev/null; wait "$SSHD_PID" 2>/dev/null
	done
	sed 's/^/# sshd: /' "$log"
	return 1
}
