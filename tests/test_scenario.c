/* The scenario loader: every feature of format 1 parsed into its structs,
 * the value grammars (durations, rates, addresses), did-you-mean, and the
 * catalog of malformed files in tests/scenarios_bad/ (expected.tsv names
 * the JSON path and message each must produce). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/catalog.h"
#include "harness/scenario.h"

#define BAD_DIR LWSIM_SOURCE_DIR "/tests/scenarios_bad"

static struct lwsim_scenario *parse_ok(const char *text) {
  struct lwsim_diags d;
  lwsim_diags_init(&d, "inline.json");
  struct lwsim_scenario *sc = NULL;
  int rc = lwsim_scenario_parse(text, strlen(text), "inline.json", &sc, &d);
  for (size_t i = 0; i < d.n; i++) {
    char line[1400];
    lwsim_diag_format(&d, i, line, sizeof line);
    print_error("%s\n", line);
  }
  assert_int_equal(rc, 0);
  assert_non_null(sc);
  lwsim_diags_free(&d);
  return sc;
}

/* ------------------------------------------------------- grammars ----- */

static void durations(void **state) {
  (void)state;
  static const struct {
    const char *s;
    sim_time_t v;
  } ok[] = {{"10s", 10 * SIM_SEC}, {"250ms", 250 * SIM_MSEC}, {"1us", SIM_USEC}, {"7ns", 7},
            {"1.5s", 1500 * SIM_MSEC}, {"0.25ms", 250 * SIM_USEC}, {"1234", 1234}, {"0", 0},
            {"0s", 0}, {"9223372036ms", INT64_C(9223372036) * SIM_MSEC}};
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    sim_time_t t = -1;
    assert_int_equal(lwsim_duration_parse(ok[i].s, &t), 0);
    assert_true(t == ok[i].v);
  }
  static const char *const bad[] = {"-1s", "1.5", "1.5ns", "0.0001us", "s", "", "1 s", "1h",
                                    "1e3ms", "10000000000s", "1..2s", ".s"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    sim_time_t t;
    if (lwsim_duration_parse(bad[i], &t) == 0) print_error("accepted '%s'\n", bad[i]);
    assert_int_equal(lwsim_duration_parse(bad[i], &t), -1);
  }
  char buf[32];
  lwsim_duration_format(1500 * SIM_MSEC, buf, sizeof buf);
  assert_string_equal(buf, "1.5s");
  lwsim_duration_format(250 * SIM_MSEC, buf, sizeof buf);
  assert_string_equal(buf, "250ms");
  lwsim_duration_format(0, buf, sizeof buf);
  assert_string_equal(buf, "0ns");
  lwsim_duration_format(7, buf, sizeof buf);
  assert_string_equal(buf, "7ns");
}

static void rates_macs_prefixes(void **state) {
  (void)state;
  uint64_t r;
  assert_int_equal(lwsim_rate_parse("100Mbps", &r), 0);
  assert_true(r == 100000000);
  assert_int_equal(lwsim_rate_parse("1.5kbps", &r), 0);
  assert_true(r == 1500);
  assert_int_equal(lwsim_rate_parse("10MBps", &r), -1);
  assert_int_equal(lwsim_rate_parse("10", &r), -1);
  struct eth_addr m;
  assert_int_equal(lwsim_mac_parse("02:0a:FF:00:10:01", &m), 0);
  assert_int_equal(m.b[1], 0x0a);
  assert_int_equal(m.b[2], 0xff);
  assert_int_equal(lwsim_mac_parse("02:0a:ff:00:10", &m), -1);
  assert_int_equal(lwsim_mac_parse("02-0a-ff-00-10-01", &m), -1);
  ip4_addr_t a;
  int p;
  assert_int_equal(lwsim_cidr_parse("10.1.2.3/8", &a, &p), 0);
  assert_true(a == ip4_addr_make(10, 1, 2, 3));
  assert_int_equal(p, 8);
  assert_int_equal(lwsim_cidr_parse("10.1.2.3/33", &a, &p), -1);
  assert_int_equal(lwsim_cidr_parse("10.1.2.3", &a, &p), -1);
  assert_int_equal(lwsim_cidr_parse("10.1.2.3/", &a, &p), -1);
}

static void did_you_mean(void **state) {
  (void)state;
  static const char *const keys[] = {"netifs", "name", "config", "ping", "medium"};
  assert_int_equal(lwsim_edit_distance("pnig", "ping"), 1); /* a transposition */
  assert_int_equal(lwsim_edit_distance("netfis", "netifs"), 1);
  assert_int_equal(lwsim_edit_distance("", "abc"), 3);
  assert_string_equal(lwsim_did_you_mean("netfis", keys, 5), "netifs");
  assert_string_equal(lwsim_did_you_mean("nmae", keys, 5), "name");
  assert_string_equal(lwsim_did_you_mean("medum", keys, 5), "medium");
  assert_null(lwsim_did_you_mean("zzzzzz", keys, 5));
  assert_null(lwsim_did_you_mean("x", keys, 5));
}

/* --------------------------------------------------------- features --- */

static const char full[] =
    "{\"format\": 1, \"name\": \"full\", \"description\": \"every feature\",\n"
    " \"tags\": [\"t1\", \"t2\"], \"requirements\": [\"RFC791:3.2\", \"RFC9293:MUST-7\"],\n"
    " \"engine\": \"builtin\", \"seed\": \"18446744073709551615\", \"duration\": \"3.5s\",\n"
    " \"media\": [\n"
    "  {\"name\": \"l1\", \"kind\": \"link\", \"impair\": {\"delay\": \"2ms\", \"jitter\": 1000,\n"
    "    \"rate\": \"10Mbps\", \"queue_frames\": 8, \"queue_bytes\": 9000, \"loss\": 0.1,\n"
    "    \"gilbert_elliott\": {\"p_enter\": 0.01, \"p_exit\": 0.5, \"loss_good\": 0.001, \"loss_bad\": 0.9},\n"
    "    \"corrupt\": 0.02, \"corrupt_bits\": 3, \"duplicate\": 0.03, \"reorder\": 0.04,\n"
    "    \"reorder_delay\": \"5ms\", \"max_frame\": 1514},\n"
    "   \"ports\": [{\"node\": \"b\", \"rx\": {\"loss\": 0.5}}, {\"node\": \"a\", \"netif\": \"eth0\", \"tx\": {}}]},\n"
    "  {\"name\": \"lan\", \"kind\": \"segment\"}],\n"
    " \"nodes\": [\n"
    "  {\"name\": \"a\", \"config\": {\"ttl\": 9, \"ip_forward\": true, \"arp_max_age\": \"30s\",\n"
    "     \"port_min\": 1000, \"tcp_no_sack\": 1},\n"
    "   \"netifs\": [{\"name\": \"eth0\", \"medium\": \"l1\", \"address\": \"10.0.0.1/24\",\n"
    "                \"gateway\": \"10.0.0.254\", \"mtu\": 576, \"mac\": \"02:00:00:00:aa:01\"},\n"
    "               {\"name\": \"eth1\", \"medium\": \"lan\", \"address\": \"10.1.0.1/16\", \"default\": true,\n"
    "                \"up\": false, \"link\": false}]},\n"
    "  {\"name\": \"b\", \"netifs\": [{\"name\": \"eth0\", \"medium\": \"l1\"}]},\n"
    "  {\"name\": \"c\", \"netifs\": [{\"name\": \"eth0\", \"medium\": \"lan\", \"address\": \"10.1.0.2/16\"}]}],\n"
    " \"apps\": [\n"
    "  {\"name\": \"p\", \"kind\": \"ping\", \"node\": \"a\", \"target\": \"10.0.0.2\", \"count\": 3,\n"
    "   \"interval\": \"100ms\", \"size\": 1000, \"start\": \"1s\", \"stop\": \"2s\"},\n"
    "  {\"kind\": \"udp_echo_server\", \"node\": \"b\", \"port\": 7, \"autostart\": false},\n"
    "  {\"name\": \"cl\", \"kind\": \"udp_client\", \"node\": \"a\", \"target\": \"10.0.0.2\", \"port\": 7,\n"
    "   \"local_port\": 4000, \"ttl\": 5},\n"
    "  {\"name\": \"tx\", \"kind\": \"udp_sender\", \"node\": \"c\", \"target\": \"10.1.255.255\", \"port\": 9,\n"
    "   \"broadcast\": true, \"size\": 8},\n"
    "  {\"name\": \"rx\", \"kind\": \"udp_sink\", \"node\": \"a\", \"port\": 9}],\n"
    " \"actions\": [\n"
    "  {\"at\": \"1s\", \"do\": \"medium_down\", \"medium\": \"l1\"},\n"
    "  {\"at\": \"1s\", \"do\": \"port_up\", \"medium\": \"l1\", \"node\": \"b\", \"dir\": \"rx\"},\n"
    "  {\"at\": \"2s\", \"do\": \"impair\", \"medium\": \"l1\", \"set\": {\"loss\": 1}},\n"
    "  {\"at\": \"2s\", \"do\": \"impair\", \"medium\": \"lan\", \"node\": \"a\", \"netif\": \"eth1\", \"dir\": \"rx\",\n"
    "   \"set\": {\"delay\": \"1ms\"}},\n"
    "  {\"at\": \"3s\", \"do\": \"partition\", \"medium\": \"lan\", \"groups\": [[\"a/eth1\"], [\"c\"]]},\n"
    "  {\"at\": \"3s\", \"do\": \"heal\", \"medium\": \"lan\"},\n"
    "  {\"at\": 0, \"do\": \"carrier_up\", \"node\": \"a\", \"netif\": \"eth1\"},\n"
    "  {\"at\": \"1ms\", \"do\": \"netif_remove\", \"node\": \"b\"},\n"
    "  {\"at\": \"1ms\", \"do\": \"app_start\", \"app\": \"udp_echo_server-1\"},\n"
    "  {\"at\": \"3.5s\", \"do\": \"inject\", \"node\": \"c\", \"frame\": \"ffffffffffff 020000000301 0806 00 01\"}],\n"
    " \"expect\": [\n"
    "  {\"check\": \"app\", \"app\": \"p\", \"field\": \"received\", \"eq\": 3},\n"
    "  {\"check\": \"counter\", \"name\": \"csum\", \"node\": \"b\", \"counter\": \"drops.ip_checksum\", \"min\": 1, \"max\": 9},\n"
    "  {\"check\": \"medium\", \"medium\": \"l1\", \"node\": \"b\", \"dir\": \"rx\", \"counter\": \"loss\", \"max\": 4},\n"
    "  {\"check\": \"no_findings\"},\n"
    "  {\"check\": \"finding\", \"kind\": \"use_after_free\", \"node\": \"a\", \"occurs\": false},\n"
    "  {\"check\": \"frame\", \"pattern\": {\"node\": \"a\", \"netif\": \"eth0\", \"medium\": \"l1\",\n"
    "    \"eth_type\": \"ipv4\", \"eth_dst\": \"broadcast\", \"eth_src\": \"02:00:00:00:aa:01\",\n"
    "    \"ip_src\": \"10.0.0.0/24\", \"ip_dst\": \"10.0.0.2\", \"proto\": \"icmp\", \"ttl\": 9,\n"
    "    \"fragment\": true, \"df\": false, \"icmp_type\": \"echo_request\", \"icmp_code\": 0,\n"
    "    \"min_len\": 60, \"max_len\": 590}, \"after\": \"1s\", \"by\": \"2s\", \"sent\": false},\n"
    "  {\"check\": \"frame\", \"pattern\": {\"arp_op\": \"reply\", \"arp_target\": \"10.1.0.1\",\n"
    "    \"src_port\": 7, \"dst_port\": 4000}, \"min\": 2}]}\n";

static void every_feature(void **state) {
  (void)state;
  struct lwsim_scenario *sc = parse_ok(full);
  assert_string_equal(sc->name, "full");
  assert_string_equal(sc->description, "every feature");
  assert_int_equal(sc->ntags, 2);
  assert_int_equal(sc->nrequirements, 2);
  assert_string_equal(sc->requirements[1], "RFC9293:MUST-7");
  assert_true(sc->seed == UINT64_MAX);
  assert_true(sc->duration == 3500 * SIM_MSEC);
  assert_int_equal(sc->engine, LWSIM_ENGINE_BUILTIN);
  /* media */
  assert_int_equal(sc->nmedia, 2);
  const struct lwsim_sc_medium *l1 = &sc->media[0];
  assert_int_equal(l1->kind, SIM_MEDIUM_LINK);
  assert_int_equal(sc->media[1].kind, SIM_MEDIUM_SEGMENT);
  assert_true(l1->impair.delay == 2 * SIM_MSEC && l1->impair.jitter == 1000);
  assert_true(l1->impair.rate == 10000000);
  assert_int_equal(l1->impair.queue_frames, 8);
  assert_int_equal(l1->impair.queue_bytes, 9000);
  assert_true(l1->impair.loss == 0.1 && l1->impair.ge.p_enter == 0.01 && l1->impair.ge.p_exit == 0.5);
  assert_true(l1->impair.ge.loss_good == 0.001 && l1->impair.ge.loss_bad == 0.9);
  assert_true(l1->impair.corrupt == 0.02 && l1->impair.corrupt_bits == 3);
  assert_true(l1->impair.duplicate == 0.03 && l1->impair.reorder == 0.04);
  assert_true(l1->impair.reorder_delay == 5 * SIM_MSEC && l1->impair.max_frame == 1514);
  assert_int_equal(l1->nports, 2);
  assert_int_equal(l1->ports[0].port.node, 1);
  assert_true(l1->ports[0].has_rx && !l1->ports[0].has_tx && l1->ports[0].rx.loss == 0.5);
  assert_true(l1->ports[1].has_tx && l1->ports[1].tx.loss == 0);
  assert_int_equal(l1->nattached, 2);
  assert_int_equal(sc->media[1].nattached, 2);
  /* nodes */
  const struct lwsim_sc_node *a = &sc->nodes[0];
  assert_int_equal(a->ncfg, 5);
  struct stack_config c;
  stack_config_default(&c);
  for (size_t i = 0; i < a->ncfg; i++) lwsim_config_apply(&c, (size_t)a->cfg[i].field, a->cfg[i].value);
  assert_int_equal(c.ttl, 9);
  assert_int_equal(c.ip_forward, 1);
  assert_true(c.arp_max_age == 30 * SIM_SEC);
  assert_int_equal(c.port_min, 1000);
  assert_int_equal(c.tcp_no_sack, 1);
  assert_int_equal(a->nnetifs, 2);
  assert_true(a->netifs[0].addr == ip4_addr_make(10, 0, 0, 1));
  assert_true(a->netifs[0].mask == ip4_addr_make(255, 255, 255, 0));
  assert_true(a->netifs[0].gw == ip4_addr_make(10, 0, 0, 254));
  assert_int_equal(a->netifs[0].mtu, 576);
  assert_int_equal(a->netifs[0].mac.b[4], 0xaa);
  assert_false(a->netifs[0].is_default); /* eth1 says so explicitly */
  assert_true(a->netifs[1].is_default);
  assert_false(a->netifs[1].up);
  assert_false(a->netifs[1].link);
  assert_true(a->netifs[1].mask == ip4_addr_make(255, 255, 0, 0));
  const struct lwsim_sc_netif *bn = &sc->nodes[1].netifs[0];
  assert_true(bn->addr == 0 && bn->up && bn->link);
  assert_int_equal(bn->mac.b[0], 0x02); /* generated: unique, locally administered */
  assert_int_equal(bn->mac.b[4], 2);
  assert_int_equal(bn->mac.b[5], 1);
  /* apps */
  assert_int_equal(sc->napps, 5);
  const struct lwsim_sc_app *p = &sc->apps[0];
  assert_int_equal(p->kind, LWSIM_APP_PING);
  assert_true(p->count == 3 && p->size == 1000 && p->interval == 100 * SIM_MSEC);
  assert_true(p->start == SIM_SEC && p->stop == 2 * SIM_SEC && p->autostart);
  assert_string_equal(sc->apps[1].name, "udp_echo_server-1"); /* a generated name */
  assert_false(sc->apps[1].autostart);
  assert_int_equal(sc->apps[1].port, 7);
  assert_int_equal(sc->apps[2].count, 5); /* defaults */
  assert_int_equal(sc->apps[2].size, 64);
  assert_true(sc->apps[2].interval == SIM_SEC && sc->apps[2].stop == -1);
  assert_int_equal(sc->apps[2].local_port, 4000);
  assert_int_equal(sc->apps[2].ttl, 5);
  assert_true(sc->apps[3].broadcast);
  assert_int_equal(sc->apps[4].kind, LWSIM_APP_UDP_SINK);
  /* actions */
  assert_int_equal(sc->nactions, 10);
  assert_int_equal(sc->actions[0].kind, LWSIM_ACT_MEDIUM_DOWN);
  assert_int_equal(sc->actions[1].kind, LWSIM_ACT_PORT_UP);
  assert_int_equal(sc->actions[1].dir, LWSIM_DIR_RX);
  assert_int_equal(sc->actions[1].port.node, 1);
  assert_true(sc->actions[2].all_ports && sc->actions[2].impair.loss == 1.0);
  assert_int_equal(sc->actions[2].dir, LWSIM_DIR_TX);
  assert_false(sc->actions[3].all_ports);
  assert_int_equal(sc->actions[3].port.netif, 1);
  assert_true(sc->actions[3].impair.delay == SIM_MSEC);
  const struct lwsim_sc_action *pa = &sc->actions[4];
  assert_int_equal(pa->kind, LWSIM_ACT_PARTITION);
  assert_int_equal(pa->ngroup_ports, 2);
  assert_int_equal(pa->group_ports[0].node, 0);
  assert_int_equal(pa->group_ports[0].netif, 1);
  assert_int_equal(pa->group_of[0], 1);
  assert_int_equal(pa->group_ports[1].node, 2);
  assert_int_equal(pa->group_of[1], 2);
  assert_int_equal(sc->actions[5].kind, LWSIM_ACT_HEAL);
  assert_int_equal(sc->actions[6].kind, LWSIM_ACT_CARRIER_UP);
  assert_int_equal(sc->actions[7].port.netif, 0); /* the node's only netif */
  assert_int_equal(sc->actions[8].app, 1);
  assert_int_equal(sc->actions[9].frame_len, 16);
  assert_int_equal(sc->actions[9].frame[12], 0x08);
  /* checks */
  assert_int_equal(sc->nchecks, 7);
  const struct lwsim_sc_check *ck = sc->checks;
  assert_int_equal(ck[0].field, lwsim_app_result_index(LWSIM_APP_PING, "received"));
  assert_true(ck[0].has_min && ck[0].has_max && ck[0].min == 3 && ck[0].max == 3);
  assert_string_equal(ck[0].name, "app p.received");
  assert_string_equal(ck[1].name, "csum");
  char cn[48];
  assert_string_equal(lwsim_counter_name((size_t)ck[1].counter, cn, sizeof cn), "drops.ip_checksum");
  assert_int_equal(ck[2].dir, LWSIM_DIR_RX);
  assert_string_equal(lwsim_medium_counter_name((size_t)ck[2].mcounter), "loss");
  assert_int_equal(ck[3].kind, LWSIM_CHECK_NO_FINDINGS);
  assert_false(ck[4].occurs);
  assert_string_equal(ck[4].finding_kind, "use_after_free");
  const struct lwsim_frame_pattern *pt = &ck[5].pattern;
  assert_true(pt->set == (LWSIM_PAT_NODE | LWSIM_PAT_NETIF | LWSIM_PAT_MEDIUM | LWSIM_PAT_ETH_TYPE |
                          LWSIM_PAT_ETH_DST | LWSIM_PAT_ETH_SRC | LWSIM_PAT_IP_SRC |
                          LWSIM_PAT_IP_DST | LWSIM_PAT_PROTO | LWSIM_PAT_TTL | LWSIM_PAT_FRAGMENT |
                          LWSIM_PAT_DF | LWSIM_PAT_ICMP_TYPE | LWSIM_PAT_ICMP_CODE |
                          LWSIM_PAT_MIN_LEN | LWSIM_PAT_MAX_LEN));
  assert_true(pt->ip_src == ip4_addr_make(10, 0, 0, 0) && pt->ip_src_mask == 0xffffff00u);
  assert_true(pt->ip_dst_mask == 0xffffffffu);
  assert_int_equal(pt->proto, 1);
  assert_int_equal(pt->icmp_type, 8);
  assert_true(ck[5].after == SIM_SEC && ck[5].by == 2 * SIM_SEC);
  assert_true(!ck[5].has_min && ck[5].has_max && ck[5].max == 0); /* sent: false */
  assert_true(ck[6].has_min && ck[6].min == 2 && ck[6].by == -1);
  assert_int_equal(ck[6].pattern.arp_op, 2);
  assert_int_equal(ck[6].pattern.dst_port, 4000);
  assert_non_null(strstr(sc->text, "every feature"));
  assert_int_equal(lwsim_scenario_node(sc, "c"), 2);
  assert_int_equal(lwsim_scenario_medium(sc, "lan"), 1);
  assert_int_equal(lwsim_scenario_app(sc, "tx"), 3);
  lwsim_scenario_free(sc);
}

static void defaults_of_a_minimal_file(void **state) {
  (void)state;
  struct lwsim_scenario *sc = parse_ok("{\"format\": 1, \"name\": \"m\", \"nodes\": [{\"name\": \"n\"}]}");
  assert_true(sc->seed == 1 && sc->duration == 10 * SIM_SEC);
  assert_int_equal(sc->engine, LWSIM_ENGINE_BUILTIN);
  assert_int_equal(sc->nnodes, 1);
  assert_int_equal(sc->nodes[0].nnetifs, 0);
  assert_int_equal(sc->nmedia + sc->napps + sc->nactions + sc->nchecks, 0);
  lwsim_scenario_free(sc);
}

/* Every error of a file is listed, not just the first. */
static void every_error_listed(void **state) {
  (void)state;
  const char *text =
      "{\"format\": 1, \"name\": \"e\", \"duraton\": \"1s\",\n"
      " \"media\": [{\"name\": \"l\", \"kind\": \"segment\", \"impair\": {\"loss\": 2, \"delay\": \"-1ms\"}}],\n"
      " \"nodes\": [{\"name\": \"a\", \"netifs\": [{\"name\": \"eth0\", \"medium\": \"x\", \"mtu\": 1}]},\n"
      "           {\"name\": \"a\"}],\n"
      " \"apps\": [{\"kind\": \"ping\", \"node\": \"q\"}]}";
  struct lwsim_diags d;
  lwsim_diags_init(&d, "e.json");
  struct lwsim_scenario *sc = (struct lwsim_scenario *)1;
  assert_int_equal(lwsim_scenario_parse(text, strlen(text), "e.json", &sc, &d), -1);
  assert_null(sc);
  static const char *const paths[] = {"/duraton", "/media/0/impair/loss", "/media/0/impair/delay",
                                      "/nodes/0/netifs/0/medium", "/nodes/0/netifs/0/mtu",
                                      "/nodes/1/name", "/apps/0", "/apps/0/node"};
  for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
    int found = 0;
    for (size_t k = 0; k < d.n; k++) found |= strcmp(d.v[k].path, paths[i]) == 0;
    if (!found) print_error("no diagnostic at %s\n", paths[i]);
    assert_true(found);
  }
  char line[1400];
  lwsim_diag_format(&d, 0, line, sizeof line);
  assert_true(strncmp(line, "e.json: /", 9) == 0);
  lwsim_diags_free(&d);
}

/* ---------------------------------------------------------- catalog --- */

struct expectation {
  char file[96], path[160], needle[200];
};

static size_t read_expected(struct expectation *v, size_t cap) {
  FILE *f = fopen(BAD_DIR "/expected.tsv", "r");
  assert_non_null(f);
  char line[512];
  size_t n = 0;
  while (fgets(line, sizeof line, f) && n < cap) {
    if (line[0] == '#' || line[0] == '\n') continue;
    line[strcspn(line, "\n")] = 0;
    char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
    assert_non_null(t2);
    *t1 = *t2 = 0;
    snprintf(v[n].file, sizeof v[n].file, "%.95s", line);
    snprintf(v[n].path, sizeof v[n].path, "%.159s", t1 + 1);
    snprintf(v[n].needle, sizeof v[n].needle, "%.199s", t2 + 1);
    n++;
  }
  fclose(f);
  return n;
}

static void bad_catalog(void **state) {
  (void)state;
  struct expectation ex[128];
  size_t n = read_expected(ex, 128);
  assert_true(n >= 30);
  size_t files = 0;
  for (size_t i = 0; i < n; i++) {
    files += i == 0 || strcmp(ex[i].file, ex[i - 1].file) != 0;
    char path[1024];
    snprintf(path, sizeof path, "%s/%.95s", BAD_DIR, ex[i].file);
    struct lwsim_diags d;
    lwsim_diags_init(&d, path);
    struct lwsim_scenario *sc = NULL;
    assert_int_equal(lwsim_scenario_load(path, &sc, &d), -1);
    assert_null(sc);
    int found = 0;
    for (size_t k = 0; k < d.n && !found; k++) {
      char line[1400];
      lwsim_diag_format(&d, k, line, sizeof line);
      found = strcmp(d.v[k].path, ex[i].path) == 0 && strstr(d.v[k].msg, ex[i].needle) != NULL &&
              strstr(line, ex[i].file) != NULL;
    }
    if (!found) {
      print_error("%s: expected a diagnostic at '%s' containing '%s'; got:\n", ex[i].file,
                  ex[i].path, ex[i].needle);
      for (size_t k = 0; k < d.n; k++) print_error("  %s: %s\n", d.v[k].path, d.v[k].msg);
    }
    assert_true(found);
    lwsim_diags_free(&d);
  }
  assert_true(files >= 30);
}

/* Every scenario of the suite loads cleanly and names requirements. */
static void suite_scenarios_valid(void **state) {
  (void)state;
  static const char *const names[] = {
      "app-start-stop", "arp-aging", "arp-resolution", "arp-unresolved", "carrier-flap",
      "determinism-canary", "icmp-ping", "icmp-ping-fragmented", "icmp-ping-router",
      "impairment-change", "ip-fragmentation", "ip-malformed", "ip-reassembly-timeout",
      "ip-ttl-expiry", "link-flap", "netif-remove-queued", "partition-heal",
      "port-direction-down", "udp-broadcast-segment", "udp-burst-loss", "udp-echo",
      "udp-loss-reorder", "udp-port-unreachable"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    char path[512];
    snprintf(path, sizeof path, "%s/scenarios/%s.json", LWSIM_SOURCE_DIR, names[i]);
    struct lwsim_diags d;
    lwsim_diags_init(&d, path);
    struct lwsim_scenario *sc = NULL;
    if (lwsim_scenario_load(path, &sc, &d) < 0) print_error("%s: %s\n", path, d.n ? d.v[0].msg : "?");
    assert_non_null(sc);
    assert_true(sc->nrequirements > 0);
    assert_true(sc->nchecks > 0);
    assert_string_equal(sc->name, names[i]);
    lwsim_scenario_free(sc);
    lwsim_diags_free(&d);
  }
}

static void unreadable_file(void **state) {
  (void)state;
  struct lwsim_diags d;
  lwsim_diags_init(&d, "/nonexistent/x.json");
  struct lwsim_scenario *sc = NULL;
  assert_int_equal(lwsim_scenario_load("/nonexistent/x.json", &sc, &d), -1);
  assert_int_equal(d.n, 1);
  assert_non_null(strstr(d.v[0].msg, "cannot read"));
  lwsim_diags_free(&d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(durations),
      cmocka_unit_test(rates_macs_prefixes),
      cmocka_unit_test(did_you_mean),
      cmocka_unit_test(every_feature),
      cmocka_unit_test(defaults_of_a_minimal_file),
      cmocka_unit_test(every_error_listed),
      cmocka_unit_test(bad_catalog),
      cmocka_unit_test(suite_scenarios_valid),
      cmocka_unit_test(unreadable_file),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
