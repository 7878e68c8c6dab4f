# make install [PREFIX=/usr/local]: the binary, share files, man page and completion scripts.
PREFIX ?= /usr/local
SWIFT ?= /opt/swift/usr/bin/swift

.PHONY: build install test docs uninstall

build:
	./scripts/setup release

install: build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/ftsh $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 .build/release/ftsh $(DESTDIR)$(PREFIX)/bin/ftsh
	cp -R share/. $(DESTDIR)$(PREFIX)/share/ftsh/
	install -d $(DESTDIR)$(PREFIX)/share/ftsh/lessons
	cp scripts/lessons/*.ftsh $(DESTDIR)$(PREFIX)/share/ftsh/lessons/
	install -m 644 share/man/man1/ftsh.1 $(DESTDIR)$(PREFIX)/share/man/man1/ftsh.1
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 644 share/completions/ftsh.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/ftsh
	install -m 644 share/completions/_ftsh $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_ftsh
	install -m 644 share/completions/ftsh.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/ftsh.fish

uninstall:
	rm -rf $(DESTDIR)$(PREFIX)/bin/ftsh $(DESTDIR)$(PREFIX)/share/ftsh $(DESTDIR)$(PREFIX)/share/man/man1/ftsh.1 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions/ftsh $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_ftsh \
	  $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/ftsh.fish

test:
	./scripts/test

docs:
	./scripts/gen-docs
