// Issue 17, "What it must show": a fixture of the credential files and the framework secrets — every password
// found, every placeholder not. The tree is written at test time with generated secrets (human-style short passwords
// among them: in a place that only holds a password, `hunter2`-like values count), scanned by the real CLI
// (dist/cli/bin.js --format json), and each planted secret must be reported with its rule id at its exact line and
// column; the placeholder twins of the same files (empty values, references, documented samples and defaults) must
// produce no finding at all, and nothing else may be reported.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { positionOf, secrets, tempDir, writeTree } from "../helpers.js";

const root = resolve(__dirname, "../..");
const bin = join(root, "dist/cli/bin.js");
const gen = secrets("issue-17-credential-files");
const human = () => gen("{lower:5}{digits:2}");

interface Planted {
  path: string;
  rule: string;
  secret: string;
}

const files: Record<string, string> = {};
const planted: Planted[] = [];
/** A file whose `{{rule.id}}` markers become generated secrets (one template per marker). */
function plant(path: string, parts: ReadonlyArray<string | [rule: string, template: string]>): void {
  let text = "";
  for (const p of parts) {
    if (typeof p === "string") text += p;
    else {
      const secret = p[1] === "human" ? human() : gen(p[1]);
      planted.push({ path, rule: p[0], secret });
      text += secret;
    }
  }
  files[path] = text;
}

// Credential files, by name and structure.
plant("home/dev/.netrc", ["machine ftp.example.net\nlogin deploy\npassword ", ["netrc.password", "human"], "\n\nmachine api.example.org login ci password ", ["netrc.password", "{alnum:40}"], "\n"]);
plant("home/dev/.pgpass", ["# replica\ndb.internal.example.net:5432:reports:reporter:", ["pgpass.password", "human"], "\n*:*:*:postgres:", ["pgpass.password", "{alnum:18}"], "\n"]);
plant("home/dev/.my.cnf", ["[client]\nuser=backup\npassword=", ["mysql-client.option-file-password", "human"], "\n"]);
plant("home/dev/.git-credentials", ["https://dev:", ["git-credentials.password", "human"], "@git.example.com\n"]);
plant("home/dev/.docker/config.json", [
  '{\n  "auths": {\n    "registry.example.com": {\n      "auth": "', ["docker.config-auth", "{basicauth}"],
  '"\n    },\n    "ghcr.io": {\n      "auth": "', ["docker.config-auth", "{basicauth}"],
  '"\n    },\n    "quay.io": {\n      "auth": "', ["docker.config-auth", "{basicauth}"], '"\n    }\n  }\n}\n',
]);
plant("home/dev/.dockercfg", ['{"https://index.docker.io/v1/":{"auth":"', ["docker.dockercfg-auth", "{basicauth}"], '","email":"ci@example.com"}}\n']);
plant("home/dev/.s3cfg", ["[default]\nhost_base = ams3.digitaloceanspaces.com\nsecret_key = ", ["s3cmd.secret-key", "{lower:12}{digits:4}"], "\n"]);
plant("home/dev/.boto", ["[Credentials]\ngs_oauth2_refresh_token = ", ["s3cmd.boto-secret", "{lower:10}{digits:6}"], "\n"]);
plant("AppData/FileZilla/sitemanager.xml", ['<Servers>\n  <Server>\n    <Host>ftp.example.net</Host>\n    <User>web</User>\n    <Pass encoding="base64">', ["filezilla.password", "{base64:16}"], "</Pass>\n  </Server>\n</Servers>\n"]);
plant("AppData/FileZilla/recentservers.xml", ["<Server><Host>10.0.0.7</Host><User>deploy</User><Pass>", ["filezilla.password", "human"], "</Pass></Server>\n"]);
plant("tools/WinSCP.ini", ["[Sessions\\deploy@web01]\nHostName=web01.example.net\nUserName=deploy\nPassword=", ["winscp.password", "A35C{HEX:60}"], "\n"]);
plant("site/sftp-config.json", ['{\n    "type": "sftp",\n    "host": "web01.example.net",\n    "password": "', ["sftp-config.password", "human"], '",\n    "remote_path": "/var/www/"\n}\n']);
plant("site/.ftpconfig", ['{ "protocol": "ftp", "host": "ftp.example.com", "pass": "', ["sftp-config.password", "human"], '" }\n']);
plant("site/.vscode/sftp.json", ['{ "host": "10.0.0.9", "username": "ubuntu", "password": "', ["sftp-config.password", "human"], '" }\n']);
plant("home/dev/.m2/settings.xml", ["<settings>\n  <servers>\n    <server>\n      <id>releases</id>\n      <username>deploy</username>\n      <password>", ["maven.settings-password", "human"], "</password>\n    </server>\n  </servers>\n</settings>\n"]);
plant("lib/gradle.properties", ["org.gradle.jvmargs=-Xmx2g\nartifactoryUser=ci\nartifactoryPassword=", ["gradle.properties-password", "human"], "\nsigning.password=", ["gradle.properties-password", "{alnum:12}"], "\n"]);
plant("dotnet/NuGet.Config", ['<configuration>\n  <packageSourceCredentials>\n    <internal>\n      <add key="Username" value="build" />\n      <add key="ClearTextPassword" value="', ["nuget-config.cleartext-password", "human"], '" />\n    </internal>\n  </packageSourceCredentials>\n</configuration>\n']);
plant("home/dev/.config/pip/pip.conf", ["[global]\nindex-url = https://ci:", ["pip.index-url-password", "human"], "@pypi.example.com/simple\n"]);
plant("web/.npmrc", ["@acme:registry=https://npm.pkg.example.com/\n//npm.pkg.example.com/:_authToken=", ["npmrc.auth", "{alnum:36}"], "\n_auth=", ["npmrc.auth", "{basicauth}"], "\n"]);
plant("home/dev/.pypirc", ["[distutils]\nindex-servers = internal\n\n[internal]\nrepository = https://pypi.example.com/\nusername = release\npassword = ", ["pypirc.password", "human"], "\n"]);
plant("home/dev/.gem/credentials", ["---\nhttps://gems.example.com: ", ["gem-credentials.api-key", "{alnum:24}"], "\n"]);
plant("php/auth.json", ['{\n  "github-oauth": {\n    "github.com": "', ["composer.auth-token", "{hex:40}"], '"\n  },\n  "http-basic": {\n    "satis.example.com": {\n      "username": "ci",\n      "password": "', ["composer.http-basic-password", "human"], '"\n    }\n  }\n}\n']);
plant("home/dev/.kube/config", ["apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    username: admin\n    password: ", ["kubernetes.kubeconfig-password", "human"], "\n"]);
plant("infra/prod/terraform.tfvars", ['region      = "eu-west-1"\ndb_username = "app"\ndb_password = "', ["terraform-vars.secret", "human"], '"\n']);

// Framework and application secrets.
plant("rails/config/secrets.yml", ["production:\n  secret_key_base: ", ["rails.secret-key-base", "{hex:128}"], "\n"]);
plant("rails/.env", ["RAILS_MASTER_KEY=", ["rails.master-key", "{hex:32}"], "\n"]);
plant("rails/config/master.key", [["rails.master-key-file", "{hex:32}"], "\n"]);
plant("dj/mysite/settings.py", ['"""\nDjango settings for mysite project.\n"""\nfrom pathlib import Path\n\nSECRET_KEY = \'', ["django.insecure-secret-key", "django-insecure-{lowernum:44}!@#$%^"], "'\n"]);
plant("dj/shop/settings.py", ["# Django settings\nimport os\n\nSECRET_KEY = '", ["django.secret-key", "{lowernum:40}!@#$%^&*(-_=+)"], "'\n"]);
plant("laravel/.env", ["APP_NAME=Shop\nAPP_ENV=production\nAPP_KEY=", ["laravel.app-key", "base64:{base64:43}="], "\n"]);
plant("wp/wp-config.php", [
  "<?php\ndefine( 'DB_NAME', 'wordpress' );\ndefine( 'DB_USER', 'wp' );\ndefine( 'DB_PASSWORD', '", ["wordpress.db-password", "human"], "' );\n",
  "define( 'AUTH_KEY',         '", ["wordpress.auth-key", "{alnum:20}<>{[|:;~{alnum:20}&*(){alnum:18}"], "' );\n",
  "define( 'NONCE_SALT',       '", ["wordpress.auth-key", "{alnum:64}"], "' );\n",
]);
plant("flask/app.py", ["from flask import Flask\n\napp = Flask(__name__)\napp.secret_key = '", ["flask.secret-key", "{alpha:8}{digits:2}"], "'\n"]);
plant("node/app.js", ["const session = require('express-session');\napp.use(session({\n  resave: false,\n  secret: '", ["express.session-secret", "{alpha:10}{digits:2}"], "',\n}));\n"]);
plant("spring/src/main/resources/application.properties", ["spring.datasource.url=jdbc:postgresql://db.internal:5432/shop\nspring.datasource.username=shop\nspring.datasource.password=", ["spring.config-secret", "human"], "\n"]);
plant("spring/src/main/resources/application-prod.yml", ["jwt:\n  secret: ", ["spring.config-secret", "{base64:64}"], "\n  expiration: 86400\n"]);
plant("api/.env", ["PORT=3000\nJWT_SECRET=", ["jwt.signing-secret", "{alpha:9}{digits:3}"], "\n"]);

// Spring YAML nested three and five levels deep, and `${VAR:default}` whose default is a real password (the default is
// reported); `${VAR}`, `${VAR:}`, placeholder defaults and nested references are not (ph/application*.y*).
plant("spring/src/main/resources/application-dev.yml", [
  "spring:\n  datasource:\n    hikari:\n      password: ", ["spring.config-secret", "human"], "\n",
  "  security:\n    oauth2:\n      client:\n        registration:\n          github:\n            client-secret: ", ["spring.config-secret", "{hex:40}"], "\n",
  "  mail:\n    password: ${MAIL_PASSWORD:", ["spring.config-secret", "human"], "}\n",
  "  security:\n    user:\n      password: '${ADMIN_PASSWORD:", ["spring.config-secret", "{alnum:12}"], "}'\n",
]);
plant("spring/config/application.properties", ["spring.datasource.password=${DB_PASSWORD:", ["spring.config-secret", "human"], "}\nspring.security.user.password=${ADMIN_PASSWORD:", ["spring.config-secret", "{alnum:16}"], "}\n"]);

// Placeholder twins: the same files holding empty values, references, documented samples and defaults.
const placeholders: Record<string, string> = {
  "ph/.netrc": "machine api.example.org login ci password $NETRC_TOKEN\nmachine ftp.example.net login anonymous password changeme\n",
  "ph/.pgpass": "# hostname:port:database:username:password\nlocalhost:5432:app:app:postgres\n",
  "ph/.my.cnf": "[client]\npassword=\n[mysqldump]\npassword = your_password\n",
  "ph/.git-credentials": "https://user:${GIT_TOKEN}@github.com\n",
  "ph/.docker/config.json": '{\n  "auths": {\n    "registry.example.com": {\n      "auth": "dXNlcm5hbWU6cGFzc3dvcmQ="\n    },\n    "https://index.docker.io/v1/": {}\n  },\n  "credsStore": "desktop"\n}\n',
  "ph/.s3cfg": "[default]\naccess_key =\nsecret_key =\n",
  "ph/sitemanager.xml": "<Server><Host>ftp.example.net</Host><Logontype>0</Logontype></Server>\n",
  "ph/WinSCP.ini": "[Sessions\\web]\nHostName=web01.example.net\nPassword=\n",
  "ph/sftp-config.json": '{\n    //"password": "password",\n    "host": "example.com"\n}\n',
  "ph/.vscode/sftp.json": '{ "host": "10.0.0.9", "password": "${env:SFTP_PASSWORD}" }\n',
  "ph/settings.xml": "<servers><server><id>r</id><password>${env.MAVEN_PASSWORD}</password></server></servers>\n",
  "ph/gradle.properties": "ossrhPassword=${System.env.OSSRH_PASSWORD}\nsigning.password=\n",
  "ph/nuget.config": '<add key="ClearTextPassword" value="%NUGET_FEED_PASSWORD%" />\n',
  "ph/pip.conf": "[global]\nindex-url = https://${PIP_USER}:${PIP_PASSWORD}@pypi.example.com/simple\n",
  "ph/.npmrc": "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n",
  "ph/.pypirc": "[pypi]\nusername = __token__\npassword = <your PyPI token>\n",
  "ph/.gem/credentials": ":rubygems_api_key: <%= ENV['GEM_HOST_API_KEY'] %>\n",
  "ph/auth.json": '{"http-basic": {"repo.magento.com": {"username": "<public-key>", "password": "<private-key>"}}}\n',
  "ph/.kube/config": "users:\n- name: admin\n  user:\n    password: ${KUBE_PASSWORD}\n",
  "ph/terraform.tfvars": 'db_password = "changeme"\nsecret_name = "prod/db"\n',
  "ph/config/secrets.yml": 'production:\n  secret_key_base: <%= ENV["SECRET_KEY_BASE"] %>\n',
  "ph/settings.py": "# Django settings\nSECRET_KEY = 'django-insecure-...'\nSECRET_KEY = os.environ['DJANGO_SECRET_KEY']\n",
  "ph/.env": "APP_KEY=SomeRandomString\nJWT_SECRET=${JWT_SECRET}\nSECRET_KEY_BASE=\n",
  "ph/wp-config.php": "<?php\ndefine( 'DB_PASSWORD', 'password_here' );\ndefine( 'AUTH_KEY',         'put your unique phrase here' );\ndefine( 'NONCE_SALT',       'put your unique phrase here' );\n",
  "ph/app.py": "from flask import Flask\napp = Flask(__name__)\napp.config['SECRET_KEY'] = 'dev'\napp.secret_key = b'_5#y2L\"F4Q8z\\n\\xec]/'\n",
  "ph/app.js": "app.use(session({ secret: 'keyboard cat', resave: false }));\n",
  "ph/application.properties": "spring.datasource.password=${DB_PASSWORD}\njwt.secret=\nspring.mail.password=${MAIL_PASSWORD:changeme}\n",
  "ph/application-prod.yml":
    "spring:\n  datasource:\n    hikari:\n      password: ${DB_PASSWORD:}\n  mail:\n    password: ${MAIL_PASSWORD:${SMTP_PASSWORD}}\n" +
    "  security:\n    user:\n      password: ${ADMIN_PASSWORD:guest}\njwt:\n  secret: ${JWT_SECRET}\n",
};

describe("issue 17: credential files and framework secrets", () => {
  const t = tempDir("keyscan-issue17-");
  let findings: Array<{ ruleId: string; path: string; line: number; column: number; secret: string; confidence: string }> = [];
  let status: number | null = null;

  beforeAll(() => {
    expect(existsSync(bin), "build first: npm run build").toBe(true);
    writeTree(t.dir, { ...files, ...placeholders });
    const out = spawnSync(process.execPath, [bin, ".", "--format", "json", "--no-redact"], { cwd: t.dir, encoding: "utf8" });
    status = out.status;
    findings = (JSON.parse(out.stdout) as { findings: typeof findings }).findings;
  });
  afterAll(() => t.cleanup());

  it("exits 1 (findings)", () => {
    expect(status).toBe(1);
  });

  for (const p of planted) {
    it(`finds ${p.rule} in ${p.path}`, () => {
      const at = positionOf(files[p.path]!, p.secret);
      const match = findings.filter((f) => f.path === p.path && f.secret === p.secret);
      expect(match.map((f) => [f.ruleId, f.line, f.column, f.confidence !== "low"])).toEqual([[p.rule, at.line, at.column, true]]);
    });
  }

  it("reports no placeholder, and nothing that was not planted", () => {
    const expected = new Set(planted.map((p) => `${p.path}\u0000${p.secret}`));
    const extra = findings.filter((f) => !expected.has(`${f.path}\u0000${f.secret}`)).map((f) => `${f.path}:${f.line} ${f.ruleId}`);
    expect(extra).toEqual([]);
    expect(findings.filter((f) => f.path.startsWith("ph/"))).toEqual([]);
    expect(findings).toHaveLength(planted.length);
  });
});
