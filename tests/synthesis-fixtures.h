/* synthesis-fixtures.h: hand-made candidate answers with known answers,
 * shared by test-synthesis and test-export. JSON written with ' for ".
 *
 * Architect: three candidates; all three have an API gateway (two chose
 * Kong, one Envoy) and an order service, a PostgreSQL primary database;
 * costs 1000, 3000, 2000 (median 2000); a search index in one only.
 * Support: a disk-space step in 3 of 3 (phrased differently), a restart in
 * 2 of 3 (efforts 2 and 4), a logs step in 2 of 3 (effort 1), a DNS check
 * in 1 of 3 and a clean-up step in 1 of 3 that resembles the disk step.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

static const char architect_a[] =
  "{'summary':'A Kong gateway in front of stateless services on PostgreSQL.',"
  " 'components':["
  "  {'name':'API gateway','responsibility':'Routes and authenticates requests','technology':'Kong 3.4','scaling':'Horizontal'},"
  "  {'name':'Order service','responsibility':'Handles orders','technology':'Go','scaling':'Stateless replicas'},"
  "  {'name':'Search index','responsibility':'Full-text product search','technology':'Elasticsearch','scaling':'Shards'}],"
  " 'data_stores':[{'name':'Primary database','technology':'PostgreSQL 16','purpose':'System of record','primary':true},"
  "                {'name':'Cache','technology':'Redis','purpose':'Hot reads','primary':false}],"
  " 'apis':[{'name':'Public REST API','style':'rest','description':'Orders and products'}],"
  " 'connections':[{'from':'API gateway','to':'Order service','description':'HTTP'},"
  "                {'from':'Order service','to':'Primary database','description':'SQL'},"
  "                {'from':'Search index','to':'Order service','description':'queries'},"
  "                {'from':'Order service','to':'Nowhere','description':'lost'}],"
  " 'decisions':[{'topic':'Primary database','choice':'PostgreSQL','rationale':'Relational data, strong consistency.','rejected_alternatives':['MongoDB']},"
  "              {'topic':'API gateway product','choice':'Kong','rationale':'Plugins for auth.','rejected_alternatives':['Tyk']}],"
  " 'trade_offs':['More moving parts than a monolith'],"
  " 'risks':[{'risk':'Database becomes a bottleneck','mitigation':'Read replicas'}],"
  " 'monthly_cost_usd':1000,"
  " 'mermaid':'flowchart LR\\n a-->b'}";

static const char architect_b[] =
  "{'summary':'An edge gateway with Kong and one relational database.',"
  " 'components':["
  "  {'name':'Edge API gateway','responsibility':'Routing and auth at the edge','technology':'Kong','scaling':'Autoscaled pods'},"
  "  {'name':'Order service','responsibility':'Order handling','technology':'Go 1.22','scaling':'Horizontal pods'}],"
  " 'data_stores':[{'name':'Main DB','technology':'postgresql','purpose':'Orders and users','primary':true}],"
  " 'apis':[{'name':'Public REST API','style':'REST','description':'Public API'}],"
  " 'connections':[{'from':'Edge API gateway','to':'Order service','description':'HTTP/2'},"
  "                {'from':'Order service','to':'Main DB','description':'SQL over TLS'}],"
  " 'decisions':[{'topic':'Primary database','choice':'PostgreSQL 16','rationale':'Mature and cheap.','rejected_alternatives':['MySQL']},"
  "              {'topic':'API gateway product','choice':'Kong','rationale':'Open source, declarative config.','rejected_alternatives':['Envoy']}],"
  " 'trade_offs':['More moving parts than a monolith', 'Vendor lock-in avoided at the cost of operations work'],"
  " 'risks':[{'risk':'The database becomes a bottleneck','mitigation':'Add read replicas and caching'}],"
  " 'monthly_cost_usd':3000,"
  " 'mermaid':'flowchart LR'}";

static const char architect_c[] =
  "{'summary':'Envoy at the edge, services on Kubernetes, PostgreSQL for data.',"
  " 'components':["
  "  {'name':'API Gateway','responsibility':'Ingress routing','technology':'Envoy','scaling':'DaemonSet'},"
  "  {'name':'Order service','responsibility':'Orders','technology':'Java','scaling':'HPA'}],"
  " 'data_stores':[{'name':'Primary DB','technology':'Postgres','purpose':'All transactional data','primary':true}],"
  " 'apis':[],"
  " 'connections':[{'from':'API Gateway','to':'Order service','description':'gRPC'}],"
  " 'decisions':[{'topic':'Primary database','choice':'PostgreSQL','rationale':'Team knows it.','rejected_alternatives':['mongodb', 'CockroachDB']},"
  "              {'topic':'API gateway product','choice':'Envoy','rationale':'Fast, xDS.','rejected_alternatives':['Kong']}],"
  " 'trade_offs':[],"
  " 'risks':[{'risk':'Kubernetes complexity','mitigation':'Use a managed cluster'}],"
  " 'monthly_cost_usd':2000,"
  " 'mermaid':'flowchart LR'}";

static const char support_a[] =
  "{'summary':'The disk is probably full.',"
  " 'likely_causes':[{'cause':'Disk full','likelihood':'high'},{'cause':'Service crashed','likelihood':'medium'}],"
  " 'steps':["
  "  {'title':'Check free disk space','action':'See how full the disks are.','command':'df -h','expected':'Below 90%','if_fails':'Free space','risk':'none','effort_minutes':5},"
  "  {'title':'Restart the service','action':'Restart the app service.','command':'sudo systemctl restart app','expected':'active (running)','if_fails':'Read the journal','risk':'medium','effort_minutes':2},"
  "  {'title':'Clean up old files to free disk space','action':'Delete rotated logs and caches.','command':'sudo journalctl --vacuum-size=200M','expected':'Space freed','if_fails':'Grow the volume','risk':'low','effort_minutes':15}],"
  " 'escalate_when':'Escalate to the storage team when the volume cannot grow.'}";

static const char support_b[] =
  "{'summary':'Most likely a full disk on /var.',"
  " 'likely_causes':[{'cause':'The disk is full','likelihood':'high'}],"
  " 'steps':["
  "  {'title':'Check disk space on /var','action':'Look at /var usage.','command':'df -h /var','expected':'Free space left','if_fails':'Clean up','risk':'low','effort_minutes':10},"
  "  {'title':'Look at the application logs','action':'Read recent errors.','command':'journalctl -u app -n 100','expected':'No errors','if_fails':'Search the error','risk':'none','effort_minutes':1},"
  "  {'title':'Restart the app service','action':'Restart it.','command':'systemctl restart app','expected':'Running','if_fails':'Escalate','risk':'medium','effort_minutes':4}],"
  " 'escalate_when':'Escalate when data loss is possible.'}";

static const char support_c[] =
  "{'summary':'Check storage first, then DNS.',"
  " 'likely_causes':[{'cause':'Disk is full','likelihood':'medium'},{'cause':'DNS misconfiguration','likelihood':'low'}],"
  " 'steps':["
  "  {'title':'Verify the disk is not full','action':'Check free space on all filesystems.','command':'df -hT','expected':'Under 90% used','if_fails':'Free space','risk':'none','effort_minutes':5},"
  "  {'title':'Check DNS resolution','action':'Resolve the upstream host.','command':'dig example.com','expected':'An A record','if_fails':'Fix resolv.conf','risk':'none','effort_minutes':2},"
  "  {'title':'Read the application log files','action':'Look for errors.','command':'journalctl -u app --since -1h','expected':'No errors','if_fails':'Search the error','risk':'none','effort_minutes':1}],"
  " 'escalate_when':'Escalate to the network team when DNS is broken.'}";

static const char judge_reply[] =
  "{'critiques':[{'candidate':'c1','strengths':'Good order','weaknesses':'Risky restart','score':8},"
  "              {'candidate':'c2','strengths':'Logs','weaknesses':'None','score':7},"
  "              {'candidate':'c3','strengths':'DNS','weaknesses':'Vague','score':15}],"
  " 'rationale':'Disk first; DNS kept because the logs mention lookups.',"
  " 'result':{'summary':'The disk is full.',"
  "   'likely_causes':[{'cause':'Disk full','likelihood':'high'}],"
  "   'steps':["
  "     {'title':'Check free disk space','action':'df','command':'df -h','expected':'<90%','if_fails':'clean','risk':'none','effort_minutes':5},"
  "     {'title':'Check DNS resolution','action':'dig','command':'dig example.com','expected':'A record','if_fails':'fix','risk':'none','effort_minutes':2},"
  "     {'title':'Inspect the kernel ring buffer','action':'dmesg','command':'dmesg -T | tail','expected':'no I/O errors','if_fails':'replace disk','risk':'none','effort_minutes':2},"
  "     {'title':'Restart the service','action':'restart','command':'systemctl restart app','expected':'running','if_fails':'escalate','risk':'medium','effort_minutes':3}],"
  "   'escalate_when':'When the volume cannot grow.'}}";
