# serve-start.sh -- sourced by the fixtures that run folio serve (their
# check.sh, with FOLIO and REPO set): serve_start starts it on the site
# copy in the background, on a port of its own, and returns once it
# serves.  It sets port and pid; the server is killed when the script
# exits.  Arguments are added to serve's command line, and SERVE_SITE
# (default .) is the site folder.
serve_start() {
	port=$((20000 + $$ % 20000))
	$FOLIO serve -C "${SERVE_SITE:-.}" --port $port "$@" >serve.out 2>serve.err &
	pid=$!
	trap 'kill $pid 2>/dev/null' EXIT
	i=0
	until grep -q "serving" serve.err; do
		sleep 0.1; i=$((i + 1))
		[ $i -lt 300 ] || { echo "serve did not start"; cat serve.err; exit 1; }
	done
}
