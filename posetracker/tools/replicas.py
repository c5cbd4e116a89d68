"""Several app replicas behind nginx, and a TURN server: the configuration files, written from a few choices.

    python -m posetracker.tools.replicas nginx --listen 80 --replica 10.0.0.11:8501 --replica 10.0.0.12:8501
    python -m posetracker.tools.replicas coturn --listen-ip 10.0.0.20 --external-ip 203.0.113.7 \\
        --user posetracker --password SECRET --realm example.org

Why sticky sessions: a Streamlit session lives in one server process. Its WebSocket, its uploads
(/_stcore/upload_file) and its media (/media/...) must all reach the replica that holds it, or the visitor
loses the page's state, the upload or the annotated video. Open-source nginx has no `sticky` directive, so the
replica that first answered a visitor is written into a cookie (`posetracker_replica`) and every later
request carrying it goes to that replica; a visitor without the cookie is spread round-robin. Only the names
listed here are ever routed (the cookie never carries an address). When a replica is down, its visitors are
sent to another one (their session starts afresh there) instead of an error page.

The live video does not pass through nginx: WebRTC goes straight between the browser and the replica that
answered its offer, so every replica needs its own reachable address for UDP, or a TURN server (coturn) that
relays for visitors behind NAT or strict firewalls. The replicas then get the TURN server in
`POSETRACKER_ICE_SERVERS` (see `rtc_configuration`).
"""
from __future__ import annotations

import argparse
import sys

COOKIE = "posetracker_replica"


def replica_names(replicas: list[str]) -> list[str]:
    return [f"r{i}" for i in range(len(replicas))]


def nginx_config(replicas: list[str], listen: str = "80", *, worker_processes: str = "auto", pid: str | None = None,
                 access_log: str | None = None, error_log: str | None = None, temp_dir: str | None = None) -> str:
    """A whole nginx.conf: `replicas` are host:port of the app servers, `listen` nginx's address or port."""
    if not replicas:
        raise ValueError("at least one replica (host:port) is needed")
    names = replica_names(replicas)
    pinned = "\n".join(f"        {name} {addr};" for name, addr in zip(names, replicas))
    served_by = "\n".join(f"        {addr} {name};" for name, addr in zip(names, replicas))
    servers = "\n".join(f"        server {addr} max_fails=1 fail_timeout=10s;" for addr in replicas)
    lines = [f"worker_processes {worker_processes};"]
    if pid:
        lines.append(f"pid {pid};")
    if error_log:
        lines.append(f"error_log {error_log} warn;")
    temp = ""
    if temp_dir:
        temp = "".join(f"    {kind}_temp_path {temp_dir}/{kind};\n"
                       for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    log = (f"    log_format replicas '$request_method $uri $status upstream=$upstream_addr "
           f"cookie=$cookie_{COOKIE} upgrade=$http_upgrade';\n"
           f"    access_log {access_log} replicas;\n") if access_log else "    access_log off;\n"
    return "\n".join(lines) + f"""
events {{ worker_connections 1024; }}

http {{
{temp}{log}    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      close;
    }}
    # The replica a visitor is pinned to; without (or with an unknown) cookie, any of them, round-robin.
    map $cookie_{COOKIE} $posetracker_backend {{
{pinned}
        default posetracker_any;
    }}
    # The name of the replica that answered, written back into the cookie.
    map $upstream_addr $posetracker_served_by {{
{served_by}
        default "";
    }}
    upstream posetracker_any {{
{servers}
    }}

    server {{
        listen {listen};
        client_max_body_size 1024m;   # uploads; the app enforces each plan's own limit

        location / {{
            proxy_pass http://$posetracker_backend;
            proxy_intercept_errors on;
            error_page 502 504 = @rebalance;
            include posetracker_proxy_params;
        }}
        # A pinned replica that does not answer: any other one takes the visitor (a fresh session).
        location @rebalance {{
            proxy_pass http://posetracker_any;
            include posetracker_proxy_params;
        }}
    }}
}}
"""


def proxy_params() -> str:
    """The `posetracker_proxy_params` file beside nginx.conf: WebSockets, no buffering, the sticky cookie."""
    return f"""proxy_http_version 1.1;
proxy_set_header Host $host;
proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
proxy_set_header X-Forwarded-Proto $scheme;
proxy_set_header Upgrade $http_upgrade;
proxy_set_header Connection $connection_upgrade;
proxy_read_timeout 1d;    # a Streamlit WebSocket stays open for the whole visit
proxy_send_timeout 1d;
proxy_buffering off;
add_header Set-Cookie "{COOKIE}=$posetracker_served_by; Path=/; HttpOnly; SameSite=Lax" always;
"""


def coturn_config(listen_ip: str, user: str, password: str, realm: str, *, external_ip: str | None = None,
                  port: int = 3478, min_port: int = 49160, max_port: int = 49200) -> str:
    """A turnserver.conf for coturn: long-term credentials, UDP/TCP on `port`, relays on a small port range."""
    lines = [
        f"listening-ip={listen_ip}",
        f"relay-ip={listen_ip}",
        f"listening-port={port}",
        f"min-port={min_port}",
        f"max-port={max_port}",
        "fingerprint",
        "lt-cred-mech",
        f"user={user}:{password}",
        f"realm={realm}",
        "no-cli",
        "no-tls",
        "no-dtls",
        "no-multicast-peers",
        "stale-nonce=600",
    ]
    if external_ip:  # the public address when coturn sits behind NAT itself (a cloud VM): public/private
        lines.append(f"external-ip={external_ip}/{listen_ip}")
    return "\n".join(lines) + "\n"


def ice_servers_json(turn_host: str, user: str, password: str, port: int = 3478) -> str:
    """What the replicas get in `POSETRACKER_ICE_SERVERS` to offer visitors the TURN server (UDP and TCP)."""
    import json

    return json.dumps([{"urls": [f"turn:{turn_host}:{port}?transport=udp", f"turn:{turn_host}:{port}?transport=tcp"],
                        "username": user, "credential": password}])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m posetracker.tools.replicas", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    ng = sub.add_parser("nginx", help="print nginx.conf (and, with --params, the posetracker_proxy_params file)")
    ng.add_argument("--replica", action="append", required=True, metavar="HOST:PORT")
    ng.add_argument("--listen", default="80")
    ng.add_argument("--params", action="store_true", help="print the proxy params file instead")
    turn = sub.add_parser("coturn", help="print turnserver.conf and the replicas' POSETRACKER_ICE_SERVERS")
    turn.add_argument("--listen-ip", required=True)
    turn.add_argument("--external-ip")
    turn.add_argument("--user", required=True)
    turn.add_argument("--password", required=True)
    turn.add_argument("--realm", required=True)
    turn.add_argument("--port", type=int, default=3478)
    args = parser.parse_args(argv)
    if args.what == "nginx":
        sys.stdout.write(proxy_params() if args.params else nginx_config(args.replica, args.listen))
    else:
        sys.stdout.write(coturn_config(args.listen_ip, args.user, args.password, args.realm,
                                       external_ip=args.external_ip, port=args.port))
        host = args.external_ip or args.listen_ip
        sys.stdout.write(f"# POSETRACKER_ICE_SERVERS='{ice_servers_json(host, args.user, args.password, args.port)}'\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
