/* libFuzzer harness for the ELF header parser (bundles/skeleton/elf.c): any bytes
 * must give is_elf=false, a parsed info, or an error — never a crash or an
 * out-of-bounds read.  The same parser serves cage_elf_read (pread). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cagefs/elf.h"
#include "cagefs/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet;
	if (!quiet++)
		cage_log_set_level(LOG_EMERG);
	struct cage_elf_info info;
	cage_err_t err;
	int r = cage_elf_parse_mem(data, size, "fuzz", &info, &err);
	if (r < 0) {
		/* An error leaves nothing to free and says which file. */
		if (info.interp || info.needed.n || strncmp(err.msg, "fuzz: ", 6) != 0)
			__builtin_trap();
		return 0;
	}
	/* Touch every string so ASan checks they are in bounds and terminated. */
	size_t total = info.interp ? strlen(info.interp) : 0;
	const cage_strvec_t *lists[] = { &info.needed, &info.rpath, &info.runpath };
	for (size_t l = 0; l < 3; l++)
		for (size_t i = 0; i < lists[l]->n; i++)
			total += strlen(lists[l]->v[i]);
	if (!info.is_elf && (info.interp || info.needed.n || total))
		__builtin_trap();
	cage_elf_info_free(&info);
	return 0;
}
