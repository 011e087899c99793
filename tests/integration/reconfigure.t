#!/bin/bash
# cagefsctl --reconfigure-cagefs (issue 13, item 4; docs/ARCHITECTURE.md
# §4.21): the socket directories of MariaDB/MySQL, PostgreSQL, PHP-FPM,
# Redis and Memcached found in their configuration and added to cagefs.mp.
# The services' configuration files below are written by this test in the
# world's /etc, in each program's real format; the programs themselves are
# not installed or run (a reader of configuration files needs only the
# files; the one exception, MariaDB's default socket, needs an installed
# server program, which is an empty executable in the world's /usr/sbin).
# The socket reached from a cage at the end is a real unix socket.
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/tap.sh"
world_enter "$@"
MP=/etc/cagefs/cagefs.mp
cat > /etc/cagefs/conf.d/base.cfg <<'C'
[base]
paths=/bin/sh, /bin/ls, /usr/bin/test
C
"$SETUP_CAGEFSCTL" --init >/dev/null 2>&1 || world_die "--init failed"
useradd -m -u 1501 alice || world_die "useradd"
"$CAGEFSCTL" --enable alice >/dev/null 2>&1 || world_die "--enable alice"
rm -rf /etc/mysql /etc/postgresql /etc/php /etc/redis /etc/memcached*.conf /usr/sbin/mariadbd /usr/sbin/mysqld

# cagefs.mp as an administrator left it: comments, odd spacing, no final newline.
printf '# my own notes\n/var/lib/shared-sock\n\n  @/var/run/screen,777  \n/var/run/mysqld' > $MP
cp $MP "$WORLD/mp.orig"
mkdir -p /var/lib/shared-sock

mkdir -p /etc/mysql/conf.d /etc/postgresql/15/main /etc/postgresql/15/other /etc/php/8.2/fpm/pool.d /etc/redis
printf '[client-server]\n!includedir /etc/mysql/conf.d/\n' > /etc/mysql/my.cnf
printf '[mysqld]\nuser = mysql\nsocket = /run/mysqld-custom/mysqld.sock  # moved\n' > /etc/mysql/conf.d/server.cnf
printf '[mysqld\nskip-name-resolve\n' > /etc/mysql/conf.d/broken.cnf
printf "port = 5432\n#unix_socket_directories = '/var/run/postgresql'\n" > /etc/postgresql/15/main/postgresql.conf
printf "unix_socket_directories = '/run/pg-other, @abstract'\n= 'no name'\n" > /etc/postgresql/15/other/postgresql.conf
printf '[www]\nuser = www-data\nlisten = /run/php/php8.2-fpm.sock\n' > /etc/php/8.2/fpm/pool.d/www.conf
printf '[alice]\nlisten = /home/alice/fpm/$pool.sock\n' > /etc/php/8.2/fpm/pool.d/alice.conf
printf '[tcp]\nlisten = 127.0.0.1:9001\n' > /etc/php/8.2/fpm/pool.d/tcp.conf
printf '[top]\nlisten = /run/fpm-top.sock\n' > /etc/php/8.2/fpm/pool.d/top.conf
printf 'port 0\nunixsocket /run/redis/redis-server.sock\nunixsocketperm 770\n' > /etc/redis/redis.conf
printf 'unixsocket /tmp/redis.sock\n' > /etc/redis/tmp.conf
printf -- '-m 64\n-s /run/memcached/memcached.sock\n-a 0770\n' > /etc/memcached.conf
printf -- '-s /home/memcached.sock\n' > /etc/memcached_home.conf

out=$("$CAGEFSCTL" --reconfigure-cagefs 2>"$WORLD/err"); rc=$?
err=$(cat "$WORLD/err")
is "$rc" 1 "refused sockets and bad lines: status 1, though the rest is done"
like "$out" "added /run/mysqld-custom: MariaDB/MySQL socket /run/mysqld-custom/mysqld.sock \(/etc/mysql/conf.d/server.cnf:3\)" "MariaDB: a custom socket= of [mysqld], with file:line"
like "$out" "added /var/run/postgresql: PostgreSQL socket /var/run/postgresql \(/etc/postgresql/15/main/postgresql.conf \(default\)\)" "PostgreSQL: a cluster without the setting has the default"
like "$out" "added /run/pg-other: PostgreSQL socket /run/pg-other \(/etc/postgresql/15/other/postgresql.conf:1\)" "PostgreSQL: unix_socket_directories of another cluster (the abstract one skipped)"
like "$out" "added /run/php: PHP-FPM socket /run/php/php8.2-fpm.sock \(/etc/php/8.2/fpm/pool.d/www.conf:3\)" "PHP-FPM: a pool's listen path"
like "$out" "per-user /home/alice/fpm \(PHP-FPM socket /home/alice/fpm/alice.sock, [^)]*\): inside alice's home /home/alice" "PHP-FPM: \$pool expanded; a socket in a user's home is per-user, not added"
unlike "$out" "9001" "PHP-FPM: a TCP pool names no socket"
like "$out" "added /run/redis: Redis socket /run/redis/redis-server.sock \(/etc/redis/redis.conf:2\)" "Redis: unixsocket"
like "$out" "added /run/memcached: Memcached socket /run/memcached/memcached.sock \(/etc/memcached.conf:2\)" "Memcached: -s"
like "$out" "refused /tmp \(Redis socket /tmp/redis.sock, /etc/redis/tmp.conf:1\): /tmp holds files of other users" "/tmp refused, saying why"
like "$out" "refused /home \(Memcached socket /home/memcached.sock, [^)]*\): /home holds files of other users" "/home refused"
like "$out" "refused /run \(PHP-FPM socket /run/fpm-top.sock, [^)]*\): /run holds files" "/run itself refused"
like "$err" "warning: /etc/mysql/conf.d/broken.cnf:1: section header '\[mysqld' lacks its closing '\]'" "a malformed my.cnf line: file:line on stderr"
like "$err" "warning: /etc/postgresql/15/other/postgresql.conf:2: expected 'name = value'" "a malformed postgresql.conf line: file:line"
like "$out" "reconfigure-cagefs: 6 added, 0 already shared, 3 refused, 1 per-user, 0 conflicting, 3 configuration problems" "the summary"
like "$out" "changed $MP; run cagefsctl --remount-all to apply it to live cages" "--remount-all is named, not run"

size=$(stat -c %s "$WORLD/mp.orig")
run "every byte of the old cagefs.mp kept, in place" cmp -n "$size" "$WORLD/mp.orig" $MP
is "$(tail -c +$((size + 1)) $MP | head -c 1 | od -An -c | tr -d ' ')" '\n' "a final newline added to the old last line"
is "$(grep -v '^#' $MP | grep -c .)" 9 "cagefs.mp: 3 old entries and 6 new"
like "$(grep -B1 '^/run/redis$' $MP | head -1)" "^# Redis socket /run/redis/redis-server.sock \(/etc/redis/redis.conf:2\), added by cagefsctl --reconfigure-cagefs" "each addition says why, in a comment"
run "no line for a refused or per-user directory" bash -c "! grep -qxE '/tmp|/home|/run|/home/alice/fpm' $MP"
run "the written cagefs.mp is accepted by --update-etc" "$CAGEFSCTL" --update-etc alice

cp $MP "$WORLD/mp.1"
out=$("$CAGEFSCTL" --reconfigure-cagefs 2>/dev/null)
like "$out" "reconfigure-cagefs: 0 added, 6 already shared" "second run: nothing new"
like "$out" "already shared by line [0-9]+ \(/run/redis\)" "... each directory found on its line"
like "$out" "$MP not changed" "... and says so"
run "... the file is byte for byte the same" cmp "$WORLD/mp.1" $MP

# The default MariaDB socket: a server program and no socket= anywhere.
rm /etc/mysql/conf.d/server.cnf /etc/mysql/conf.d/broken.cnf
install -m 755 /dev/null /usr/sbin/mariadbd
out=$("$CAGEFSCTL" --reconfigure-cagefs 2>/dev/null)
like "$out" "covered /run/mysqld \(MariaDB/MySQL socket /run/mysqld/mysqld.sock, /etc/mysql/my.cnf \(default\)\): already shared by line 5 \(/var/run/mysqld\)" "MariaDB default /run/mysqld, covered by the line /var/run/mysqld (/var/run -> /run)"
rm /usr/sbin/mariadbd
out=$("$CAGEFSCTL" --reconfigure-cagefs 2>/dev/null)
unlike "$out" "MariaDB" "no server program and no socket=: no MariaDB (client libraries install /etc/mysql too)"

# A private copy (@) of a socket directory would hide the socket.
printf '[mysqld]\nsocket=/var/run/screen/x.sock\n' > /etc/mysql/conf.d/screen.cnf
out=$("$CAGEFSCTL" --reconfigure-cagefs 2>/dev/null); rc=$?
like "$rc $out" "^1 .*conflict /var/run/screen .*line 4 lists @/var/run/screen as a private copy per user" "an @ line for the directory: a conflict, not changed, status 1"
rm /etc/mysql/conf.d/screen.cnf

# --json
rm /etc/redis/tmp.conf /etc/memcached_home.conf /etc/php/8.2/fpm/pool.d/top.conf
printf '[w2]\nlisten = "/run/php-w2/w2.sock"\n' > /etc/php/8.2/fpm/pool.d/w2.conf
"$CAGEFSCTL" --reconfigure-cagefs --json > "$WORLD/out.json" 2>/dev/null; rc=$?
is "$rc" 1 "--json: status 1 (the bad postgresql.conf line is still there)"
is "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
add = [s["directory"] for s in d["sockets"] if s["action"] == "added"]
print(d["changed"], d["remount_needed"], d["ok"], add, len(d["problems"]), d["sockets"][0]["service"])
' "$WORLD/out.json")" "True True False ['/run/php-w2'] 1 postgresql" "--json parses: what was added, the problems, remount needed"

# A caged user reaches a socket of an added directory after --remount-all.
mkdir -p /run/redis
mkdir -p /run/notlisted
for s in /run/redis/redis-server.sock /run/notlisted/s; do
	python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' $s
done
"$CAGEFSCTL" --remount-all >/dev/null 2>&1
run "after --remount-all alice's cage shows the socket" "$B/cagefs_enter_user" alice test -S /run/redis/redis-server.sock
run "... not a socket of a directory cagefs.mp does not list" bash -c "! '$B/cagefs_enter_user' alice test -e /run/notlisted/s"
run "... nor /tmp of the host" bash -c "touch /tmp/host-file; ! '$B/cagefs_enter_user' alice test -e /tmp/host-file"

# A cagefs.mp that does not parse is never changed.
printf '/ok\n@/var/x,99z\n' > $MP; cp $MP "$WORLD/mp.bad"
out=$("$CAGEFSCTL" --reconfigure-cagefs 2>&1); rc=$?
like "$rc $out" "^1 .*error: $MP:2: invalid mode '99z'" "a malformed cagefs.mp: its file:line, status 1"
run "... and it is left alone" cmp "$WORLD/mp.bad" $MP
rm $MP
out=$("$CAGEFSCTL" --reconfigure-cagefs 2>/dev/null)
like "$out" "created $MP" "no cagefs.mp: created"
run "... from --create-mp's defaults plus the additions" grep -qx '@/var/spool/cron,700' $MP
done_testing
