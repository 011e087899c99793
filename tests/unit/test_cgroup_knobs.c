/* linux.resources turned into cgroup files, v1 and v2 spellings (no root). */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "cagefs/json.h"
#include "runtime/oci/cgroup.h"
#include "tap.h"

/* The knobs of the JSON text RES with the v2 controllers V2, as
 * "ctrl:file=value;" joined; or "error: MESSAGE". */
static char *knobs(const char *res, const char *v2)
{
	static char out[4096];
	cage_json *doc = NULL;
	struct cg_knobs ks;
	cage_err_t err = {0};
	if (cage_json_parse(res, strlen(res), "res", SIZE_MAX, &doc, NULL) < 0)
		return strcpy(out, "bad json");
	if (cage_cg_knobs(doc, v2, false, &ks, &err) < 0) {
		snprintf(out, sizeof(out), "error: %s", err.msg);
	} else {
		out[0] = '\0';
		for (size_t i = 0; i < ks.n; i++)
			snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s:%s=%s;", ks.k[i].ctrl,
				 ks.k[i].file, ks.k[i].value);
	}
	cage_json_free(doc);
	return out;
}

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* Each of BAD, put between the JSON texts BEFORE and AFTER, is refused
 * with an error starting with PREFIX. */
static void refused(const char *before, const char *after, const char *const *bad, const char *prefix,
		    const char *what)
{
	for (; *bad; bad++) {
		char res[128];
		snprintf(res, sizeof(res), "%s%s%s", before, *bad, after);
		ok(starts(knobs(res, ""), prefix), "%s \"%s\" is refused", what, *bad);
	}
}

int main(void)
{
	const char *mem = "{\"memory\": {\"limit\": 1000, \"reservation\": 500, \"swap\": 3000}}";
	is_str(knobs(mem, ""), "memory:memory.limit_in_bytes=1000;memory:memory.soft_limit_in_bytes=500;"
			       "memory:memory.memsw.limit_in_bytes=3000;",
	       "memory on v1: limit, soft limit, memory+swap");
	is_str(knobs(mem, "cpu,memory,pids"), "memory:memory.max=1000;memory:memory.low=500;"
					      "memory:memory.swap.max=2000;",
	       "memory on v2: max, low, swap alone (swap - limit)");
	is_str(knobs("{\"memory\": {\"limit\": -1}, \"pids\": {\"limit\": 0}}", ""),
	       "memory:memory.limit_in_bytes=-1;pids:pids.max=max;", "no limit is -1 on v1, max for pids");
	is_str(knobs("{\"memory\": {\"limit\": -1}}", "memory"), "memory:memory.max=max;",
	       "no limit is max on v2");
	const char *cpu = "{\"cpu\": {\"shares\": 1024, \"quota\": 50000, \"period\": 100000, \"cpus\": \"0-1\"}}";
	is_str(knobs(cpu, ""), "cpu:cpu.shares=1024;cpu:cpu.cfs_period_us=100000;cpu:cpu.cfs_quota_us=50000;"
			       "cpuset:cpuset.cpus=0-1;",
	       "cpu on v1");
	is_str(knobs(cpu, "cpu,cpuset"), "cpu:cpu.weight=39;cpu:cpu.max=50000 100000;cpuset:cpuset.cpus=0-1;",
	       "cpu on v2: shares as weight (runc's conversion), quota and period as cpu.max");
	is_str(knobs("{\"cpu\": {\"period\": 20000}}", "cpu"), "cpu:cpu.max=max 20000;",
	       "cpu on v2: a period alone is \"max PERIOD\"");
	const char *huge = "{\"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 4096}]}";
	is_str(knobs(huge, ""), "hugetlb:hugetlb.2MB.limit_in_bytes=4096;", "hugepageLimits on v1");
	is_str(knobs(huge, "hugetlb"), "hugetlb:hugetlb.2MB.max=4096;", "hugepageLimits on v2 (hybrid: "
	       "hugetlb alone there)");
	refused("{\"hugepageLimits\": [{\"pageSize\": \"", "\", \"limit\": 1}]}",
		(const char *const[]){"../x", "2MB/..", "MB", "2TB", "2mb", "12345678MB", "2MBx", "", NULL},
		"error: config.json: linux.resources.hugepageLimits[0]", "pageSize");
	is_str(knobs("{\"hugepageLimits\": {}}", ""), "error: config.json: linux.resources.hugepageLimits is "
	       "not an array", "hugepageLimits must be an array");
	is_str(knobs("{\"unified\": {\"memory.high\": \"1M\", \"cgroup.max.depth\": \"3\"}}", "memory"),
	       "memory:memory.high=1M;cgroup:cgroup.max.depth=3;", "unified: files taken as they are");
	refused("{\"unified\": {\"", "\": \"1\"}}",
		(const char *const[]){"cgroup.procs", "cgroup.subtree_control", "cgroup.kill", "memory", ".high",
				      "memory.high/../x", "memory..x", "Memory.high", NULL},
		"error: config.json: linux.resources.unified: \"", "unified key");
	is_str(knobs("{\"unified\": {\"memory.high\": 5}}", ""), "error: config.json: linux.resources.unified."
	       "memory.high is not a string", "unified values are strings");
	is_str(knobs("{\"memory\": {\"limit\": 1000, \"swap\": 500}}", "memory"),
	       "error: config.json: linux.resources.memory.swap (memory and swap together) is below memory.limit",
	       "v2: swap below the limit is an error, not unlimited swap");
	is_str(knobs("{\"memory\": {\"swap\": 5000}}", "memory"),
	       "error: config.json: linux.resources.memory.swap needs a memory.limit on cgroup v2",
	       "v2: swap without a limit is an error");
	is_str(knobs("{\"memory\": {\"limit\": -1, \"swap\": 5000}}", "memory"),
	       "error: config.json: linux.resources.memory.swap needs a memory.limit on cgroup v2",
	       "v2: swap with an unlimited limit is an error");
	is_str(knobs("{\"memory\": {\"limit\": 1000, \"swap\": -1}}", "memory"),
	       "memory:memory.max=1000;memory:memory.swap.max=max;", "v2: swap -1 is unlimited swap");
	is_str(knobs("{\"memory\": {\"limit\": 1000, \"swap\": 1000}}", "memory"),
	       "memory:memory.max=1000;memory:memory.swap.max=0;", "v2: swap equal to the limit is no swap");
	is_str(knobs("{\"memory\": {\"reservation\": -1}}", "memory"), "memory:memory.low=max;",
	       "v2: no limit is spelt max in every file (memory.low too)");
	is_str(knobs("{\"cpu\": {\"quota\": -1}}", ""), "cpu:cpu.cfs_quota_us=-1;", "v1: cfs_quota_us -1");
	refused("{", "}", (const char *const[]){"\"memory\": {\"limit\": \"1G\"}", "\"memory\": {\"limit\": 1.5e9}",
		"\"memory\": {\"limit\": 18446744073709551615}", "\"pids\": {\"limit\": \"100\"}",
		"\"cpu\": {\"cpus\": 3}", "\"memory\": 5", "\"cpu\": {\"shares\": true}", NULL},
		"error: config.json: linux.resources.", "a field of the wrong type");
	const char *bio = "{\"blockIO\": {\"throttleReadBpsDevice\": [{\"major\": 254, \"minor\": 0, \"rate\": 1048576}], "
			  "\"throttleWriteIOPSDevice\": [{\"major\": 8, \"minor\": 16, \"rate\": 0}]}}";
	is_str(knobs(bio, ""), "blkio:blkio.throttle.read_bps_device=254:0 1048576;"
			       "blkio:blkio.throttle.write_iops_device=8:16 0;",
	       "blockIO throttles on v1: one file per kind, rate 0 lifts");
	is_str(knobs(bio, "io,memory"), "io:io.max=254:0 rbps=1048576;io:io.max=8:16 wiops=max;",
	       "blockIO throttles on v2: io.max, one key per write, rate 0 is max");
	refused("{\"blockIO\": {\"throttleReadBpsDevice\": [", "]}}",
		(const char *const[]){"{\"major\": 8, \"minor\": 0}", "{\"major\": -1, \"minor\": 0, \"rate\": 1}",
				      "{\"major\": 8, \"minor\": 0, \"rate\": -5}", "{\"major\": \"8\", \"minor\": 0, \"rate\": 1}",
				      "5", NULL},
		"error: config.json: linux.resources.blockIO.throttleReadBpsDevice[0] needs a major", "a throttle");
	is_str(knobs("{\"blockIO\": {\"throttleReadBpsDevice\": {}}}", ""),
	       "error: config.json: linux.resources.blockIO.throttleReadBpsDevice is not an array",
	       "a throttle list must be an array");
	char many[8192] = "{\"hugepageLimits\": [";
	for (int i = 0; i < 70; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), "%s{\"pageSize\": \"%dKB\", \"limit\": 1}",
			 i ? ", " : "", i + 1);
	strcat(many, "]}");
	ok(strstr(knobs(many, ""), "more than 64 cgroup settings") != NULL, "more settings than fit are an error");
	return done_testing();
}
