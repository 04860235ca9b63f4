// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the policy file parser: the input is a policy file,
 * handed to pfile_parse_buf() as juris apply does once it has read it.
 * Beyond what ASan and UBSan catch: a failure names a line of the input and
 * carries a message; a policy accepted stays within the limits, and writing
 * it out (juris policy show) and parsing that again gives the same policy
 * and the same text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pfile.h"

static struct pfile a, b;

static char *write_policy(const struct pfile *p, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	CHECK(f);
	pfile_write(f, p, 0, NULL);
	CHECK(fclose(f) == 0);
	return text;
}

static void check_same(const struct pfile *x, const struct pfile *y)
{
	size_t i;

	CHECK(x->mode == y->mode && x->unknown == y->unknown && x->action == y->action);
	CHECK(x->scope == y->scope && x->set == y->set && x->lock == y->lock);
	CHECK(!memcmp(x->cc, y->cc, sizeof(x->cc)));
	CHECK(x->nprefix == y->nprefix && x->nnat64 == y->nnat64 && x->nuid == y->nuid);
	for (i = 0; i < x->nprefix; i++)
		CHECK(!memcmp(&x->prefix[i], &y->prefix[i], sizeof(x->prefix[i])));
	for (i = 0; i < x->nnat64; i++)
		CHECK(!memcmp(&x->nat64[i], &y->nat64[i], sizeof(x->nat64[i])));
	for (i = 0; i < x->nuid; i++) {
		CHECK(x->uid[i].first == y->uid[i].first && x->uid[i].last == y->uid[i].last);
		CHECK(x->uid[i].action == y->uid[i].action);
		CHECK(x->uid[i].ncountries == y->uid[i].ncountries);
		CHECK(!memcmp(x->uid[i].countries, y->uid[i].countries,
			      2 * x->uid[i].ncountries));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct parse_error err;
	char *text, *again;
	size_t len, len2, lines = 1, i;
	int ret;

	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	pfile_init(&a);
	ret = pfile_parse_buf("fuzz", (const char *)data, size, "/etc/juris", &a, &err);
	CHECK(!strcmp(err.path, "fuzz"));
	CHECK(memchr(err.msg, '\0', sizeof(err.msg)));
	if (ret < 0) {
		CHECK(err.line >= 1 && err.line <= lines);
		CHECK(err.msg[0]);
		pfile_free(&a);
		return 0;
	}
	CHECK(ret == 0 && err.line == 0);
	CHECK(a.nprefix <= JURIS_MAX_PREFIXES && a.nnat64 <= JURIS_MAX_NAT64);
	CHECK(a.nuid <= JURIS_MAX_UID_RULES);
	for (i = 0; i < a.nuid; i++)
		CHECK(a.uid[i].first <= a.uid[i].last && a.uid[i].last != 0xffffffffU);
	for (i = 0; i < a.ntable; i++)
		CHECK(a.table[i][0] == '/');

	text = write_policy(&a, &len);
	pfile_init(&b);
	ret = pfile_parse_buf("again", text, len, NULL, &b, &err);
	if (ret)
		fprintf(stderr, "again:%lu: %s\n%s", err.line, err.msg, text);
	CHECK(ret == 0);
	check_same(&a, &b);
	again = write_policy(&b, &len2);
	CHECK(len == len2 && !memcmp(text, again, len));
	if (a.mode >= 0)
		CHECK(pfile_complete(&a, &err) == 0);
	free(text);
	free(again);
	pfile_free(&a);
	pfile_free(&b);
	return 0;
}
