//! `mailroom user …`: the people who may log in to the review UI.
//!
//! Passwords are asked for without echo on a terminal, or read from the first line of
//! standard input when it is not one (`printf '%s\n' "$PW" | mailroom user add …`); never
//! from the command line, where `ps` and the shell history would keep them.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::fail;
use crate::config::Config;
use crate::index::DocType;
use crate::people::{Role, SecurityEvent};

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add a user (the password is asked for, or read from standard input).
    Add(AddArgs),
    /// The users, their roles and the document types they may see.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Set the departments a user belongs to (none: in no department); approval steps given
    /// by a department (`[[review.approvals]] approved_by`) wait in their members' queue.
    Departments {
        name: String,
        /// Departments, comma-separated (`Lager,Einkauf`); empty to clear.
        #[arg(value_delimiter = ',')]
        departments: Vec<String>,
    },
    /// Stop a user from logging in (ends their sessions).
    Disable { name: String },
    /// Let a disabled user log in again.
    Enable { name: String },
    /// Set a user's password (ends their sessions).
    Passwd { name: String },
    /// A new API token for the REST API (`/api/v1`), acting with the user's role and types.
    Token {
        name: String,
        /// What it is for (`erp`), in the security log.
        #[arg(long, default_value = "api")]
        label: String,
        /// Revoke every token of the user instead.
        #[arg(long)]
        revoke: bool,
    },
    /// The security log: logins, failed logins, user changes (newest first).
    Log {
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
}

#[derive(Args, Debug)]
pub struct AddArgs {
    pub name: String,
    /// reviewer (check, correct, approve), auditor (read everything, change nothing) or admin (users, and everything a reviewer does).
    #[arg(long)]
    pub role: Role,
    /// Only these document types (comma-separated, e.g. invoice,credit_note); default: all.
    #[arg(long = "types", value_delimiter = ',')]
    pub types: Vec<String>,
    /// The departments the user belongs to (comma-separated, e.g. Lager,Einkauf).
    #[arg(long = "departments", value_delimiter = ',')]
    pub departments: Vec<String>,
}

fn password(prompt: &str) -> Result<String, String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(prompt).map_err(|e| e.to_string())?;
        let again = rpassword::prompt_password("Again: ").map_err(|e| e.to_string())?;
        if first != again {
            return Err("the two passwords differ".into());
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(|e| e.to_string())?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}

fn who() -> String {
    crate::config::actor("cli")
}

pub fn user(config: &Config, cmd: UserCommand) -> ExitCode {
    let people = match config.open_people() {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let result: Result<(), String> = (|| match cmd {
        UserCommand::Add(a) => {
            let types: Vec<DocType> = a.types.iter().map(|t| DocType::from_name(t.trim()).ok_or_else(|| format!("unknown document type '{t}'"))).collect::<Result<_, _>>()?;
            let pw = password(&format!("Password for {}: ", a.name))?;
            for d in &a.departments {
                crate::review::valid_department(d)?;
            }
            let mut u = people.add(&a.name, a.role, (!types.is_empty()).then_some(types.as_slice()), &pw).map_err(|e| e.to_string())?;
            if !a.departments.is_empty() {
                u.departments = people.set_departments(&u.name, &a.departments).map_err(|e| e.to_string())?;
            }
            people.log(SecurityEvent::UserAdded, &u.name, "cli", &format!("role {}, by {}", u.role, who())).map_err(|e| e.to_string())?;
            eprintln!(
                "mailroom: added {} ({}{}), who may see {}; users are kept in {}",
                u.name,
                u.role,
                if u.departments.is_empty() { String::new() } else { format!(", in {}", u.departments.join(", ")) },
                u.doc_types.as_ref().map(|t| t.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(", ")).unwrap_or_else(|| "every document type".into()),
                people.describe()
            );
            Ok(())
        }
        UserCommand::List { json } => {
            let users = people.users().map_err(|e| e.to_string())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&users).map_err(|e| e.to_string())?);
            } else {
                println!("{:<24} {:<9} {:<9} {:<24} document types", "name", "role", "state", "departments");
                for u in users {
                    let types = u.doc_types.as_ref().map(|t| t.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(",")).unwrap_or_else(|| "all".into());
                    let departments = if u.departments.is_empty() { "-".to_string() } else { u.departments.join(",") };
                    println!("{:<24} {:<9} {:<9} {departments:<24} {types}", u.name, u.role.as_str(), if u.disabled { "disabled" } else { "active" });
                }
            }
            Ok(())
        }
        UserCommand::Departments { name, departments } => {
            let departments: Vec<String> = departments.into_iter().filter(|d| !d.trim().is_empty()).collect();
            let set = people.set_departments(&name, &departments).map_err(|e| e.to_string())?;
            people.log(SecurityEvent::DepartmentsChanged, &name, "cli", &format!("{} by {}", if set.is_empty() { "none".to_string() } else { set.join(", ") }, who())).map_err(|e| e.to_string())?;
            eprintln!("mailroom: {name} is in {}", if set.is_empty() { "no department".to_string() } else { set.join(", ") });
            Ok(())
        }
        UserCommand::Disable { name } => {
            people.set_disabled(&name, true).map_err(|e| e.to_string())?;
            people.log(SecurityEvent::UserDisabled, &name, "cli", &format!("by {}", who())).map_err(|e| e.to_string())
        }
        UserCommand::Enable { name } => {
            people.set_disabled(&name, false).map_err(|e| e.to_string())?;
            people.log(SecurityEvent::UserEnabled, &name, "cli", &format!("by {}", who())).map_err(|e| e.to_string())
        }
        UserCommand::Passwd { name } => {
            if people.user(&name).map_err(|e| e.to_string())?.is_none() {
                return Err(format!("no user named '{name}' (see mailroom user list)"));
            }
            let pw = password(&format!("New password for {name}: "))?;
            people.set_password(&name, &pw).map_err(|e| e.to_string())?;
            people.log(SecurityEvent::PasswordChanged, &name, "cli", &format!("by {}", who())).map_err(|e| e.to_string())
        }
        UserCommand::Token { name, label, revoke } => {
            if revoke {
                let n = people.revoke_api_tokens(&name).map_err(|e| e.to_string())?;
                eprintln!("{n} API token(s) of {name} revoked");
            } else {
                let token = people.new_api_token(&name, &label).map_err(|e| e.to_string())?;
                println!("{token}");
                eprintln!("an API token for {name} ({label}): shown once, keep it in a secret store; Authorization: Bearer <token>");
            }
            Ok(())
        }
        UserCommand::Log { limit } => {
            for l in people.log_lines(limit).map_err(|e| e.to_string())? {
                println!("{}  {:<16} {:<16} {:<16} {}", l.at, l.event, l.user, l.addr, l.detail);
            }
            Ok(())
        }
    })();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}
