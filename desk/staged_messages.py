# ruff: noqa: E501 - one translation per line reads (and merges) better than wrapped strings
"""Desk interface translations waiting to be merged into ``locales/`` (staging).

``locales/`` was being changed by other work when the desk was finished, so the desk's msgids and
their Spanish and Haitian Creole translations live here until they are merged; :mod:`desk.text`
looks a msgid up in the catalogs first, then here. English needs nothing: the msgids are English.

To merge (after ``babel.cfg`` extracts ``desk/``, or ``make update-messages`` drops them again):
``python -m desk.staged_messages pot`` prints the entries for ``locales/messages.pot``;
``python -m desk.staged_messages es`` (``en``, ``ht``) prints them for that catalog. Append each to
its file, run ``python -m content.catalogs update`` and ``make locales``, then empty
:data:`MESSAGES`. ``tests/desk/test_text.py`` checks that every msgid the desk uses is translated
in ``es`` and ``ht`` either way.

The texts are drafts by the development team, like the rest of the catalogs
(``X-Review-Status: draft``).
"""

from __future__ import annotations

import re
import sys

#: msgid → {language: translation}
MESSAGES: dict[str, dict[str, str]] = {
    "Inbox": {
        "es": "Bandeja de entrada",
        "ht": "Bwat resepsyon",
    },
    "Answers": {
        "es": "Respuestas",
        "ht": "Repons",
    },
    "Content review": {
        "es": "Revisión de contenidos",
        "ht": "Revizyon kontni",
    },
    "Dashboard": {
        "es": "Panel de medición",
        "ht": "Tablo mezi",
    },
    "Audit log": {
        "es": "Registro de cambios",
        "ht": "Jounal chanjman",
    },
    "Accounts": {
        "es": "Cuentas",
        "ht": "Kont",
    },
    "This form has expired or did not come from this site. Go back, reload the page and try again.": {
        "es": "Este formulario caducó o no viene de este sitio. Regresa, vuelve a cargar la página e inténtalo de nuevo.",
        "ht": "Fòmilè sa a ekspire oswa li pa soti nan sit sa a. Tounen, rechaje paj la epi eseye ankò.",
    },
    "Your account cannot open this page. Ask a coordinator if you need it.": {
        "es": "Tu cuenta no puede abrir esta página. Pídela a una persona coordinadora si la necesitas.",
        "ht": "Kont ou pa ka louvri paj sa a. Mande yon kowòdonatè si ou bezwen l.",
    },
    "This page does not exist (or no longer exists).": {
        "es": "Esta página no existe (o ya no existe).",
        "ht": "Paj sa a pa egziste (oswa li pa egziste ankò).",
    },
    "Not allowed": {
        "es": "No permitido",
        "ht": "Pa otorize",
    },
    "Not found": {
        "es": "No encontrado",
        "ht": "Pa jwenn",
    },
    "Answers side by side": {
        "es": "Respuestas lado a lado",
        "ht": "Repons youn bò lòt",
    },
    "This answer file has a fault and cannot be edited here: {fault}": {
        "es": "Este archivo de respuesta tiene un error y no se puede editar aquí: {fault}",
        "ht": "Fichye repons sa a gen yon erè, li pa ka modifye isit la: {fault}",
    },
    "Edit: {topic} ({language})": {
        "es": "Editar: {topic} ({language})",
        "ht": "Modifye: {topic} ({language})",
    },
    "Sign in": {
        "es": "Entrar",
        "ht": "Konekte",
    },
    "Too many failed attempts. Wait {minutes} minutes and try again, or ask an administrator.": {
        "es": "Demasiados intentos fallidos. Espera {minutes} minutos e inténtalo de nuevo, o pide ayuda a una persona administradora.",
        "ht": "Twòp esè ki pa mache. Tann {minutes} minit epi eseye ankò, oswa mande yon administratè.",
    },
    "Wrong username or password.": {
        "es": "Usuario o contraseña incorrectos.",
        "ht": "Non itilizatè a oswa modpas la pa bon.",
    },
    "Change your password": {
        "es": "Cambiar tu contraseña",
        "ht": "Chanje modpas ou",
    },
    "Your current password is not right.": {
        "es": "Tu contraseña actual no es correcta.",
        "ht": "Modpas ou genyen kounye a pa bon.",
    },
    "The two new passwords are not the same.": {
        "es": "Las dos contraseñas nuevas no coinciden.",
        "ht": "De nouvo modpas yo pa menm.",
    },
    "Choose a password of at least {count} characters that is not your username.": {
        "es": "Elige una contraseña de al menos {count} caracteres que no sea tu usuario.",
        "ht": "Chwazi yon modpas ki gen omwen {count} karaktè e ki pa non itilizatè ou.",
    },
    "State not given": {
        "es": "Estado no indicado",
        "ht": "Eta pa endike",
    },
    "Shared measurement": {
        "es": "Medición compartida",
        "ht": "Mezi pataje",
    },
    "Conversation #{number}": {
        "es": "Conversación #{number}",
        "ht": "Konvèsasyon #{number}",
    },
    "Accounts are created, disabled and given new passwords on the server with the command brujula users.": {
        "es": "Las cuentas se crean, se desactivan y reciben contraseña nueva en el servidor con el comando brujula users.",
        "ht": "Se sou sèvè a, ak kòmand brujula users, yo kreye kont, dezaktive yo epi ba yo nouvo modpas.",
    },
    "Username": {
        "es": "Usuario",
        "ht": "Non itilizatè",
    },
    "Name": {
        "es": "Nombre",
        "ht": "Non",
    },
    "Role": {
        "es": "Rol",
        "ht": "Wòl",
    },
    "Status": {
        "es": "Situación",
        "ht": "Sitiyasyon",
    },
    "Last sign-in": {
        "es": "Último acceso",
        "ht": "Dènye koneksyon",
    },
    "staff": {
        "es": "personal",
        "ht": "anplwaye",
    },
    "coordinator": {
        "es": "coordinación",
        "ht": "kowòdonatè",
    },
    "administrator": {
        "es": "administración",
        "ht": "administratè",
    },
    "active": {
        "es": "activa",
        "ht": "aktif",
    },
    "disabled": {
        "es": "desactivada",
        "ht": "dezaktive",
    },
    "Topic": {
        "es": "Tema",
        "ht": "Sijè",
    },
    "First language": {
        "es": "Primer idioma",
        "ht": "Premye lang",
    },
    "Second language": {
        "es": "Segundo idioma",
        "ht": "Dezyèm lang",
    },
    "Show": {
        "es": "Mostrar",
        "ht": "Montre",
    },
    "reviewed": {
        "es": "revisada",
        "ht": "revize",
    },
    "draft, not reviewed": {
        "es": "borrador, sin revisar",
        "ht": "bouyon, pa revize",
    },
    "Last reviewed: {date}": {
        "es": "Última revisión: {date}",
        "ht": "Dènye revizyon: {date}",
    },
    "Sources ({count})": {
        "es": "Fuentes ({count})",
        "ht": "Sous ({count})",
    },
    "There is no answer in this language yet; the assistant answers in the closest language.": {
        "es": "Todavía no hay respuesta en este idioma; el asistente responde en el idioma más cercano.",
        "ht": "Poko gen repons nan lang sa a; asistan an reponn nan lang ki pi pre a.",
    },
    "Every change made through the desk or the command line: who, when, what, before and after. Entries cannot be changed or deleted.": {
        "es": "Cada cambio hecho desde el escritorio o la línea de comandos: quién, cuándo, qué, antes y después. Las entradas no se pueden cambiar ni borrar.",
        "ht": "Chak chanjman ki fèt nan biwo a oswa nan liy kòmand: kiyès, kilè, kisa, anvan ak apre. Pesonn pa ka chanje ni efase yon antre.",
    },
    "edited an answer (draft)": {
        "es": "editó una respuesta (borrador)",
        "ht": "modifye yon repons (bouyon)",
    },
    "edited and reviewed an answer": {
        "es": "editó y revisó una respuesta",
        "ht": "modifye epi revize yon repons",
    },
    "replied to a conversation": {
        "es": "respondió en una conversación",
        "ht": "reponn nan yon konvèsasyon",
    },
    "closed a conversation": {
        "es": "cerró una conversación",
        "ht": "fèmen yon konvèsasyon",
    },
    "created an account": {
        "es": "creó una cuenta",
        "ht": "kreye yon kont",
    },
    "disabled an account": {
        "es": "desactivó una cuenta",
        "ht": "dezaktive yon kont",
    },
    "enabled an account": {
        "es": "activó una cuenta",
        "ht": "aktive yon kont",
    },
    "reset a password": {
        "es": "puso una contraseña nueva",
        "ht": "mete yon nouvo modpas",
    },
    "changed their password": {
        "es": "cambió su contraseña",
        "ht": "chanje modpas li",
    },
    "Before → after": {
        "es": "Antes → después",
        "ht": "Anvan → apre",
    },
    "Pages of the audit log": {
        "es": "Páginas del registro de cambios",
        "ht": "Paj jounal chanjman an",
    },
    "Newer": {
        "es": "Más recientes",
        "ht": "Pi resan",
    },
    "Page {page} of {pages}": {
        "es": "Página {page} de {pages}",
        "ht": "Paj {page} sou {pages}",
    },
    "Older": {
        "es": "Anteriores",
        "ht": "Pi ansyen",
    },
    "Nothing has been changed yet.": {
        "es": "Todavía no se ha cambiado nada.",
        "ht": "Poko gen anyen ki chanje.",
    },
    "Brújula desk": {
        "es": "Escritorio Brújula",
        "ht": "Biwo Brújula",
    },
    "Skip to content": {
        "es": "Ir al contenido",
        "ht": "Ale nan kontni an",
    },
    "Main": {
        "es": "Principal",
        "ht": "Prensipal",
    },
    "Interface language": {
        "es": "Idioma de la interfaz",
        "ht": "Lang entèfas la",
    },
    "Sign out": {
        "es": "Salir",
        "ht": "Dekonekte",
    },
    "Each answer per topic and language. Open one to correct it and mark it reviewed. Answers not reviewed in the last {days} days are marked as old.": {
        "es": "Cada respuesta por tema e idioma. Abre una para corregirla y marcarla como revisada. Las respuestas sin revisar en los últimos {days} días aparecen como antiguas.",
        "ht": "Chak repons pa sijè ak pa lang. Louvri youn pou korije l epi make l revize. Repons ki pa revize nan dènye {days} jou yo make kòm ansyen.",
    },
    "A content file has a fault; the assistant keeps serving the last good version: {fault}": {
        "es": "Un archivo de contenido tiene un error; el asistente sigue usando la última versión buena: {fault}",
        "ht": "Yon fichye kontni gen yon erè; asistan an kontinye sèvi ak dènye bon vèsyon an: {fault}",
    },
    "Review status of every answer": {
        "es": "Estado de revisión de cada respuesta",
        "ht": "Eta revizyon chak repons",
    },
    "missing": {
        "es": "falta",
        "ht": "manke",
    },
    "draft": {
        "es": "borrador",
        "ht": "bouyon",
    },
    "old": {
        "es": "antigua",
        "ht": "ansyen",
    },
    "Saved and marked reviewed. The assistant uses the new text from its next answer.": {
        "es": "Guardada y marcada como revisada. El asistente usa el texto nuevo desde su próxima respuesta.",
        "ht": "Anrejistre epi make revize. Asistan an ap itilize nouvo tèks la depi pwochen repons li.",
    },
    "Saved as a draft. The assistant uses the new text from its next answer.": {
        "es": "Guardada como borrador. El asistente usa el texto nuevo desde su próxima respuesta.",
        "ht": "Anrejistre kòm bouyon. Asistan an ap itilize nouvo tèks la depi pwochen repons li.",
    },
    "Someone else saved this answer while you were editing it. Nothing was saved. Your text is below; the saved version is shown under “Saved version”. Merge them and save again.": {
        "es": "Otra persona guardó esta respuesta mientras la editabas. No se guardó nada. Tu texto está abajo; la versión guardada aparece en “Versión guardada”. Combínalas y vuelve a guardar.",
        "ht": "Yon lòt moun anrejistre repons sa a pandan w t ap modifye l. Anyen pa t anrejistre. Tèks ou a anba a; vèsyon ki anrejistre a parèt nan “Vèsyon ki anrejistre”. Mete yo ansanm epi anrejistre ankò.",
    },
    "Saved version": {
        "es": "Versión guardada",
        "ht": "Vèsyon ki anrejistre",
    },
    "Nothing was saved. Please correct:": {
        "es": "No se guardó nada. Corrige, por favor:",
        "ht": "Anyen pa t anrejistre. Tanpri korije:",
    },
    "Only the summary and the texts of the sections are edited here. Do not add phone numbers, addresses or hours that the sources do not give: a number that is not in the Spanish answer is refused.": {
        "es": "Aquí solo se editan el resumen y los textos de las secciones. No agregues teléfonos, direcciones ni horarios que las fuentes no den: se rechaza un número que no esté en la respuesta en español.",
        "ht": "Isit la se sèlman rezime a ak tèks seksyon yo ou ka modifye. Pa ajoute nimewo telefòn, adrès oswa lè sous yo pa bay: yon nimewo ki pa nan repons an panyòl la ap refize.",
    },
    "Summary (at most {count} characters)": {
        "es": "Resumen (máximo {count} caracteres)",
        "ht": "Rezime (pa plis pase {count} karaktè)",
    },
    "Section: {key}": {
        "es": "Sección: {key}",
        "ht": "Seksyon: {key}",
    },
    "Title (button, at most 20 characters)": {
        "es": "Título (botón, máximo 20 caracteres)",
        "ht": "Tit (bouton, pa plis pase 20 karaktè)",
    },
    "Text": {
        "es": "Texto",
        "ht": "Tèks",
    },
    "Save as draft": {
        "es": "Guardar como borrador",
        "ht": "Anrejistre kòm bouyon",
    },
    "Save and mark reviewed": {
        "es": "Guardar y marcar como revisada",
        "ht": "Anrejistre epi make revize",
    },
    "“Mark reviewed” records your name and today's date in the answer.": {
        "es": "“Marcar como revisada” anota tu nombre y la fecha de hoy en la respuesta.",
        "ht": "“Make revize” mete non w ak dat jodi a nan repons lan.",
    },
    "Spanish answer, for reference": {
        "es": "Respuesta en español, como referencia",
        "ht": "Repons an panyòl, pou referans",
    },
    "The numbers": {
        "es": "Las cifras",
        "ht": "Chif yo",
    },
    "Count": {
        "es": "Cantidad",
        "ht": "Kantite",
    },
    "Total: {total}": {
        "es": "Total: {total}",
        "ht": "Total: {total}",
    },
    "weekly counts under {threshold} left out": {
        "es": "sin los conteos semanales menores de {threshold}",
        "ht": "san kantite pa semèn ki anba {threshold}",
    },
    "Anonymous counts from the assistant: no messages, no names, no phone numbers. So that no one can be singled out, any count under {threshold} in a week is left out of every number and total; a value with only such counts is shown as “<{threshold}”. Numbers here can be lower than the real ones, never higher.": {
        "es": "Conteos anónimos del asistente: sin mensajes, sin nombres, sin teléfonos. Para que nadie pueda ser identificado, todo conteo menor de {threshold} en una semana se deja fuera de cada cifra y de cada total; un valor que solo tiene esos conteos aparece como “<{threshold}”. Las cifras pueden ser menores que las reales, nunca mayores.",
        "ht": "Kantite anonim ki soti nan asistan an: pa gen mesaj, pa gen non, pa gen nimewo telefòn. Pou pesonn pa ka idantifye, chak kantite ki anba {threshold} nan yon semèn rete deyò tout chif ak tout total; yon valè ki gen sèlman kantite konsa parèt kòm “<{threshold}”. Chif yo ka pi piti pase sa ki reyèl, men yo pa janm pi gwo.",
    },
    "Period": {
        "es": "Periodo",
        "ht": "Peryòd",
    },
    "Last {count} weeks": {
        "es": "Últimas {count} semanas",
        "ht": "Dènye {count} semèn",
    },
    "Download CSV": {
        "es": "Descargar CSV",
        "ht": "Telechaje CSV",
    },
    "Weeks {first} to {last}": {
        "es": "Semanas {first} a {last}",
        "ht": "Semèn {first} rive {last}",
    },
    "Questions by topic and week": {
        "es": "Preguntas por tema y semana",
        "ht": "Kesyon pa sijè ak pa semèn",
    },
    "Week by week": {
        "es": "Semana a semana",
        "ht": "Semèn pa semèn",
    },
    "Total shown": {
        "es": "Total mostrado",
        "ht": "Total ki parèt",
    },
    "{topic}, week by week": {
        "es": "{topic}, semana a semana",
        "ht": "{topic}, semèn pa semèn",
    },
    "Week": {
        "es": "Semana",
        "ht": "Semèn",
    },
    "No questions counted in this period.": {
        "es": "No hay preguntas contadas en este periodo.",
        "ht": "Pa gen kesyon ki konte nan peryòd sa a.",
    },
    "Unmet needs by state and topic": {
        "es": "Necesidades sin atender por estado y tema",
        "ht": "Bezwen ki pa jwenn repons pa eta ak pa sijè",
    },
    "A topic asked where the assistant found no local service to refer to.": {
        "es": "Un tema preguntado donde el asistente no encontró ningún servicio local al cual canalizar.",
        "ht": "Yon sijè yo mande kote asistan an pa jwenn okenn sèvis lokal pou voye moun nan.",
    },
    "State": {
        "es": "Estado",
        "ht": "Eta",
    },
    "No unmet needs counted in this period.": {
        "es": "No hay necesidades sin atender contadas en este periodo.",
        "ht": "Pa gen bezwen san repons ki konte nan peryòd sa a.",
    },
    "Questions by language": {
        "es": "Preguntas por idioma",
        "ht": "Kesyon pa lang",
    },
    "Language": {
        "es": "Idioma",
        "ht": "Lang",
    },
    "Questions by state": {
        "es": "Preguntas por estado",
        "ht": "Kesyon pa eta",
    },
    "Referrals made, by topic": {
        "es": "Canalizaciones hechas, por tema",
        "ht": "Referans ki fèt, pa sijè",
    },
    "No referrals counted in this period.": {
        "es": "No hay canalizaciones contadas en este periodo.",
        "ht": "Pa gen referans ki konte nan peryòd sa a.",
    },
    "Back to the start": {
        "es": "Volver al inicio",
        "ht": "Tounen nan kòmansman",
    },
    "Conversations waiting for a person": {
        "es": "Conversaciones que esperan a una persona",
        "ht": "Konvèsasyon k ap tann yon moun",
    },
    "The conversation was closed. The person was told, in their language, that they are back with the assistant.": {
        "es": "La conversación se cerró. A la persona se le avisó, en su idioma, que vuelve a hablar con el asistente.",
        "ht": "Konvèsasyon an fèmen. Yo di moun nan, nan lang li, li tounen ak asistan an.",
    },
    "High risk first, then the longest waiting.": {
        "es": "Primero el riesgo alto, luego quien lleva más tiempo esperando.",
        "ht": "Risk ki wo an premye, apre sa moun ki tann pi lontan.",
    },
    "This page refreshes every minute.": {
        "es": "Esta página se actualiza cada minuto.",
        "ht": "Paj sa a rafrechi chak minit.",
    },
    "Stop refreshing": {
        "es": "Dejar de actualizar",
        "ht": "Sispann rafrechi",
    },
    "Refresh now and every minute": {
        "es": "Actualizar ahora y cada minuto",
        "ht": "Rafrechi kounye a ak chak minit",
    },
    "Open conversations": {
        "es": "Conversaciones abiertas",
        "ht": "Konvèsasyon ki louvri",
    },
    "Risk": {
        "es": "Riesgo",
        "ht": "Risk",
    },
    "Channel": {
        "es": "Canal",
        "ht": "Kanal",
    },
    "Waiting": {
        "es": "Esperando",
        "ht": "Ap tann",
    },
    "Open": {
        "es": "Abrir",
        "ht": "Louvri",
    },
    "HIGH RISK": {
        "es": "RIESGO ALTO",
        "ht": "GWO RISK",
    },
    "normal": {
        "es": "normal",
        "ht": "nòmal",
    },
    "answered": {
        "es": "respondida",
        "ht": "reponn",
    },
    "{minutes} min": {
        "es": "{minutes} min",
        "ht": "{minutes} min",
    },
    "Open conversation #{number}": {
        "es": "Abrir conversación #{number}",
        "ht": "Louvri konvèsasyon #{number}",
    },
    "No one is waiting. New conversations appear here when a person asks to talk to the team.": {
        "es": "Nadie está esperando. Las conversaciones nuevas aparecen aquí cuando una persona pide hablar con el equipo.",
        "ht": "Pèsonn p ap tann. Nouvo konvèsasyon parèt isit la lè yon moun mande pale ak ekip la.",
    },
    "For shelter staff and coordinators of the network. Accounts are created by an administrator.": {
        "es": "Para el personal de los albergues y la coordinación de la red. Una persona administradora crea las cuentas.",
        "ht": "Pou anplwaye abri yo ak kowòdonatè rezo a. Se yon administratè ki kreye kont yo.",
    },
    "Password": {
        "es": "Contraseña",
        "ht": "Modpas",
    },
    "Your password was changed. Your other sessions were signed out.": {
        "es": "Tu contraseña se cambió. Se cerraron tus otras sesiones.",
        "ht": "Modpas ou chanje. Lòt sesyon ou yo dekonekte.",
    },
    "Current password": {
        "es": "Contraseña actual",
        "ht": "Modpas ou genyen kounye a",
    },
    "New password (at least {count} characters)": {
        "es": "Contraseña nueva (al menos {count} caracteres)",
        "ht": "Nouvo modpas (omwen {count} karaktè)",
    },
    "New password again": {
        "es": "Repite la contraseña nueva",
        "ht": "Nouvo modpas la ankò",
    },
    "Change password": {
        "es": "Cambiar contraseña",
        "ht": "Chanje modpas",
    },
    "Opened": {
        "es": "Abierta",
        "ht": "Louvri",
    },
    "This person may be in danger. If life is at risk, tell them to call 911 and follow your shelter's safety protocol.": {
        "es": "Esta persona puede estar en peligro. Si hay riesgo para la vida, dile que llame al 911 y sigue el protocolo de seguridad de tu albergue.",
        "ht": "Moun sa a ka an danje. Si lavi an danje, di l rele 911 epi swiv pwotokòl sekirite abri ou a.",
    },
    "See the answer on this topic in their language and yours": {
        "es": "Ver la respuesta sobre este tema en su idioma y en el tuyo",
        "ht": "Gade repons sou sijè sa a nan lang pa l ak nan lang pa w",
    },
    "Reply queued. It reaches the person through their channel in a few seconds.": {
        "es": "Respuesta en cola. Llega a la persona por su canal en unos segundos.",
        "ht": "Repons lan nan fil datant. L ap rive jwenn moun nan sou kanal li nan kèk segonn.",
    },
    "This conversation is closed; nothing was sent.": {
        "es": "Esta conversación está cerrada; no se envió nada.",
        "ht": "Konvèsasyon sa a fèmen; anyen pa t voye.",
    },
    "Write a reply before sending.": {
        "es": "Escribe una respuesta antes de enviar.",
        "ht": "Ekri yon repons anvan ou voye.",
    },
    "The reply is longer than {count} characters; shorten it or send it in two parts.": {
        "es": "La respuesta tiene más de {count} caracteres; acórtala o envíala en dos partes.",
        "ht": "Repons lan gen plis pase {count} karaktè; fè l pi kout oswa voye l an de pati.",
    },
    "Messages": {
        "es": "Mensajes",
        "ht": "Mesaj",
    },
    "The person": {
        "es": "La persona",
        "ht": "Moun nan",
    },
    "Team": {
        "es": "Equipo",
        "ht": "Ekip",
    },
    "System": {
        "es": "Sistema",
        "ht": "Sistèm",
    },
    "The person has not written anything yet since asking for the team.": {
        "es": "La persona no ha escrito nada desde que pidió hablar con el equipo.",
        "ht": "Moun nan poko ekri anyen depi li mande pale ak ekip la.",
    },
    "Your reply (the person reads it in their chat; write in their language if you can)": {
        "es": "Tu respuesta (la persona la lee en su chat; escribe en su idioma si puedes)",
        "ht": "Repons ou (moun nan li l nan chat li; ekri nan lang li si ou kapab)",
    },
    "Send reply": {
        "es": "Enviar respuesta",
        "ht": "Voye repons lan",
    },
    "Closing sends this message and returns the person to the assistant:": {
        "es": "Al cerrar se envía este mensaje y la persona vuelve con el asistente:",
        "ht": "Lè ou fèmen, mesaj sa a ale epi moun nan tounen ak asistan an:",
    },
    "Close the conversation": {
        "es": "Cerrar la conversación",
        "ht": "Fèmen konvèsasyon an",
    },
    "This conversation is closed.": {
        "es": "Esta conversación está cerrada.",
        "ht": "Konvèsasyon sa a fèmen.",
    },
    "Find a service": {
        "es": "Buscar un servicio",
        "ht": "Chèche yon sèvis",
    },
    "The same search and order as the assistant's referrals, with its reasons.": {
        "es": "La misma búsqueda y el mismo orden que las canalizaciones del asistente, con sus razones.",
        "ht": "Menm rechèch ak menm lòd ak referans asistan an, ak rezon yo.",
    },
    "Place (city or state)": {
        "es": "Lugar (ciudad o estado)",
        "ht": "Kote (vil oswa eta)",
    },
    "The person's language": {
        "es": "Idioma de la persona",
        "ht": "Lang moun nan",
    },
    "The person is": {
        "es": "La persona es",
        "ht": "Moun nan se",
    },
    "Open now only": {
        "es": "Solo abiertos ahora",
        "ht": "Sèlman sa ki louvri kounye a",
    },
    "Search": {
        "es": "Buscar",
        "ht": "Chèche",
    },
    "Place not recognised: {place}. Write a city or a state of Mexico; the search below is national.": {
        "es": "Lugar no reconocido: {place}. Escribe una ciudad o un estado de México; la búsqueda de abajo es nacional.",
        "ht": "Nou pa rekonèt kote sa a: {place}. Ekri yon vil oswa yon eta nan Meksik; rechèch anba a se pou tout peyi a.",
    },
    "Results": {
        "es": "Resultados",
        "ht": "Rezilta",
    },
    "Confidential address: given in person or by phone.": {
        "es": "Dirección confidencial: se da en persona o por teléfono.",
        "ht": "Adrès konfidansyèl: yo bay li an pèsòn oswa nan telefòn.",
    },
    "Why:": {
        "es": "Por qué:",
        "ht": "Poukisa:",
    },
    "Referral slip in {language}": {
        "es": "Hoja de canalización en {language}",
        "ht": "Fich referans an {language}",
    },
    "No service found for this search in the registry.": {
        "es": "No se encontró ningún servicio para esta búsqueda en el directorio.",
        "ht": "Pa gen okenn sèvis pou rechèch sa a nan anyè a.",
    },
    "Print": {
        "es": "Imprimir",
        "ht": "Enprime",
    },
    "One page, in the person's language.": {
        "es": "Una página, en el idioma de la persona.",
        "ht": "Yon paj, nan lang moun nan.",
    },
    "Referral slip": {
        "es": "Hoja de canalización",
        "ht": "Fich referans",
    },
    "Map: {latitude}, {longitude}": {
        "es": "Mapa: {latitude}, {longitude}",
        "ht": "Kat: {latitude}, {longitude}",
    },
    "Hours: {hours}": {
        "es": "Horario: {hours}",
        "ht": "Lè: {hours}",
    },
    "Printed on {date}": {
        "es": "Impreso el {date}",
        "ht": "Enprime jou {date}",
    },
    "24 hours, e.g. 09:00": {
        "es": "24 horas, p. ej. 09:00",
        "ht": "24 è, pa egzanp 09:00",
    },
    "24 hours, e.g. 17:30": {
        "es": "24 horas, p. ej. 17:30",
        "ht": "24 è, pa egzanp 17:30",
    },
    "Action": {
        "es": "Acción",
        "ht": "Aksyon",
    },
    "Add a location": {
        "es": "Agregar una ubicación",
        "ht": "Ajoute yon kote",
    },
    "Add a phone": {
        "es": "Agregar un teléfono",
        "ht": "Ajoute yon telefòn",
    },
    "Add an address": {
        "es": "Agregar una dirección",
        "ht": "Ajoute yon adrès",
    },
    "Add capacity": {
        "es": "Agregar capacidad",
        "ht": "Ajoute kapasite",
    },
    "Add hours": {
        "es": "Agregar horario",
        "ht": "Ajoute lè",
    },
    "Address": {
        "es": "Dirección",
        "ht": "Adrès",
    },
    "At most {count} characters.": {
        "es": "Como máximo {count} caracteres.",
        "ht": "Pa plis pase {count} karaktè.",
    },
    "Available now": {
        "es": "Disponibles ahora",
        "ht": "Disponib kounye a",
    },
    "Back to draft": {
        "es": "Volver a borrador",
        "ht": "Remete l an bouyon",
    },
    "Back to the service": {
        "es": "Volver al servicio",
        "ht": "Tounen nan sèvis la",
    },
    "Between {low} and {high}.": {
        "es": "Entre {low} y {high}.",
        "ht": "Ant {low} ak {high}.",
    },
    "Capacity": {
        "es": "Capacidad",
        "ht": "Kapasite",
    },
    "Categories (what the assistant refers it for)": {
        "es": "Categorías (para qué lo recomienda el asistente)",
        "ht": "Kategori (pou ki sa asistan an voye moun la)",
    },
    "Check and edit": {
        "es": "Revisar y editar",
        "ht": "Verifye epi modifye",
    },
    "Choose at least one.": {
        "es": "Elige al menos una opción.",
        "ht": "Chwazi omwen youn.",
    },
    "Choose one of the options.": {
        "es": "Elige una de las opciones.",
        "ht": "Chwazi youn nan opsyon yo.",
    },
    "Choose the days these hours apply to.": {
        "es": "Elige los días de este horario.",
        "ht": "Chwazi jou lè sa yo valab.",
    },
    "City": {
        "es": "Ciudad",
        "ht": "Vil",
    },
    "Closes at": {
        "es": "Cierra a las",
        "ht": "Fèmen a",
    },
    "Confidential address (a shelter for people at risk)": {
        "es": "Dirección confidencial (un albergue para personas en riesgo)",
        "ht": "Adrès konfidansyèl (yon abri pou moun ki an danje)",
    },
    "Country (two letters)": {
        "es": "País (dos letras)",
        "ht": "Peyi (de lèt)",
    },
    "Days": {
        "es": "Días",
        "ht": "Jou",
    },
    "Description": {
        "es": "Descripción",
        "ht": "Deskripsyon",
    },
    "E-mail": {
        "es": "Correo electrónico",
        "ht": "Imèl",
    },
    "Edit capacity": {
        "es": "Editar capacidad",
        "ht": "Modifye kapasite",
    },
    "Edit hours": {
        "es": "Editar horario",
        "ht": "Modifye lè yo",
    },
    "Edit phone": {
        "es": "Editar teléfono",
        "ht": "Modifye telefòn",
    },
    "Edit the address": {
        "es": "Editar la dirección",
        "ht": "Modifye adrès la",
    },
    "Edit the location": {
        "es": "Editar la ubicación",
        "ht": "Modifye kote a",
    },
    "Edit the organization": {
        "es": "Editar la organización",
        "ht": "Modifye òganizasyon an",
    },
    "Edit the service": {
        "es": "Editar el servicio",
        "ht": "Modifye sèvis la",
    },
    "Edit: {record}": {
        "es": "Editar: {record}",
        "ht": "Modifye: {record}",
    },
    "Every published service was verified in the last {days} days.": {
        "es": "Todos los servicios publicados se verificaron en los últimos {days} días.",
        "ht": "Tout sèvis ki pibliye yo te verifye nan {days} dènye jou yo.",
    },
    "Every service in the registry, by organization. Drafts are never referred by the assistant.": {
        "es": "Todos los servicios del directorio, por organización. El asistente nunca recomienda los borradores.",
        "ht": "Tout sèvis ki nan anyè a, pa òganizasyon. Asistan an pa janm voye moun nan yon bouyon.",
    },
    "Extension": {
        "es": "Extensión",
        "ht": "Ekstansyon",
    },
    "Fees": {
        "es": "Costos",
        "ht": "Frè",
    },
    "Fields marked * are required. Every change is written to the audit log with your name.": {
        "es": "Los campos con * son obligatorios. Cada cambio queda en el registro de cambios con tu nombre.",
        "ht": "Chan ki gen * yo obligatwa. Chak chanjman ekri nan jounal chanjman an ak non ou.",
    },
    "Filter": {
        "es": "Filtrar",
        "ht": "Filtre",
    },
    "Friday": {
        "es": "viernes",
        "ht": "vandredi",
    },
    "Give both latitude and longitude, or neither.": {
        "es": "Da la latitud y la longitud, o ninguna.",
        "ht": "Bay latitid ak lonjitid, oswa pa bay okenn.",
    },
    "Give both the opening and the closing time.": {
        "es": "Da la hora de apertura y la de cierre.",
        "ht": "Bay lè li louvri ak lè li fèmen.",
    },
    "Give the hours, or describe them in words.": {
        "es": "Da el horario o descríbelo con palabras.",
        "ht": "Bay lè yo, oswa dekri yo ak mo.",
    },
    "Hours": {
        "es": "Horario",
        "ht": "Lè",
    },
    "Hours at this location": {
        "es": "Horario en esta ubicación",
        "ht": "Lè nan kote sa a",
    },
    "Hours in words": {
        "es": "Horario en palabras",
        "ht": "Lè yo ak mo",
    },
    "Hours of the service": {
        "es": "Horario del servicio",
        "ht": "Lè sèvis la",
    },
    "How to apply": {
        "es": "Cómo solicitarlo",
        "ht": "Kijan pou mande l",
    },
    "How to get there": {
        "es": "Cómo llegar",
        "ht": "Kijan pou rive la",
    },
    "Interpretation": {
        "es": "Interpretación",
        "ht": "Entèpretasyon",
    },
    "Last verified": {
        "es": "Última verificación",
        "ht": "Dènye verifikasyon",
    },
    "Latitude": {
        "es": "Latitud",
        "ht": "Latitid",
    },
    "Location": {
        "es": "Ubicación",
        "ht": "Kote",
    },
    "Location without a name": {
        "es": "Ubicación sin nombre",
        "ht": "Kote ki pa gen non",
    },
    "Locations": {
        "es": "Ubicaciones",
        "ht": "Kote yo",
    },
    "Longitude": {
        "es": "Longitud",
        "ht": "Lonjitid",
    },
    "Marked verified today.": {
        "es": "Marcado como verificado hoy.",
        "ht": "Make verifye jodi a.",
    },
    "Maximum": {
        "es": "Máximo",
        "ht": "Maksimòm",
    },
    "Maximum age": {
        "es": "Edad máxima",
        "ht": "Laj maksimòm",
    },
    "Meant for": {
        "es": "Dirigido a",
        "ht": "Pou ki moun",
    },
    "Minimum age": {
        "es": "Edad mínima",
        "ht": "Laj minimòm",
    },
    "Monday": {
        "es": "lunes",
        "ht": "lendi",
    },
    "More available than the maximum.": {
        "es": "Hay más disponibles que el máximo.",
        "ht": "Gen plis disponib pase maksimòm nan.",
    },
    "Municipality": {
        "es": "Municipio",
        "ht": "Minisipalite",
    },
    "Name of the service or organization": {
        "es": "Nombre del servicio o de la organización",
        "ht": "Non sèvis la oswa òganizasyon an",
    },
    "Neighbourhood, interior": {
        "es": "Colonia, interior",
        "ht": "Katye, enteryè",
    },
    "New organization": {
        "es": "Nueva organización",
        "ht": "Nouvo òganizasyon",
    },
    "New service": {
        "es": "Nuevo servicio",
        "ht": "Nouvo sèvis",
    },
    "New: {record}": {
        "es": "Nuevo: {record}",
        "ht": "Nouvo: {record}",
    },
    "No capacity recorded.": {
        "es": "Sin capacidad registrada.",
        "ht": "Pa gen kapasite anrejistre.",
    },
    "No hours recorded.": {
        "es": "Sin horario registrado.",
        "ht": "Pa gen lè anrejistre.",
    },
    "No location: a phone, online or country-wide service.": {
        "es": "Sin ubicación: un servicio por teléfono, en línea o nacional.",
        "ht": "Pa gen kote: yon sèvis pa telefòn, sou entènèt oswa nan tout peyi a.",
    },
    "No phone recorded.": {
        "es": "Sin teléfono registrado.",
        "ht": "Pa gen telefòn anrejistre.",
    },
    "No record matches.": {
        "es": "Ningún registro coincide.",
        "ht": "Pa gen okenn dosye ki koresponn.",
    },
    "No service yet.": {
        "es": "Todavía no hay servicios.",
        "ht": "Poko gen sèvis.",
    },
    "Not verified yet": {
        "es": "Aún sin verificar",
        "ht": "Poko verifye",
    },
    "Notes": {
        "es": "Notas",
        "ht": "Nòt",
    },
    "Nothing was saved. Please correct the fields marked below.": {
        "es": "No se guardó nada. Corrige los campos marcados abajo.",
        "ht": "Anyen pa te anrejistre. Korije chan ki make anba yo.",
    },
    "Now a draft: the assistant no longer refers people to it.": {
        "es": "Ahora es borrador: el asistente ya no lo recomienda.",
        "ht": "Kounye a se yon bouyon: asistan an pa voye moun la ankò.",
    },
    "Number": {
        "es": "Número",
        "ht": "Nimewo",
    },
    "Opens at": {
        "es": "Abre a las",
        "ht": "Louvri a",
    },
    "Organization": {
        "es": "Organización",
        "ht": "Òganizasyon",
    },
    "Other name or acronym": {
        "es": "Otro nombre o siglas",
        "ht": "Lòt non oswa sigl",
    },
    "Phone": {
        "es": "Teléfono",
        "ht": "Telefòn",
    },
    "Phones at this location": {
        "es": "Teléfonos en esta ubicación",
        "ht": "Telefòn nan kote sa a",
    },
    "Phones of the service": {
        "es": "Teléfonos del servicio",
        "ht": "Telefòn sèvis la",
    },
    "Postal code": {
        "es": "Código postal",
        "ht": "Kòd postal",
    },
    "Publish": {
        "es": "Publicar",
        "ht": "Pibliye",
    },
    "Published services that nobody has verified in the last {days} days, never verified first. Call or visit, correct what changed, then mark it verified.": {
        "es": "Servicios publicados que nadie ha verificado en los últimos {days} días; primero los nunca verificados. Llama o visita, corrige lo que cambió y márcalo como verificado.",
        "ht": "Sèvis pibliye ke pèsonn pa verifye nan {days} dènye jou yo; sa ki pa janm verifye yo an premye. Rele oswa vizite, korije sa ki chanje, epi make l verifye.",
    },
    "Published: the assistant refers people to it from now on.": {
        "es": "Publicado: desde ahora el asistente lo recomienda.",
        "ht": "Pibliye: depi kounye a asistan an voye moun la.",
    },
    "Words in the name or description (optional)": {
        "es": "Palabras del nombre o la descripción (opcional)",
        "ht": "Mo ki nan non an oswa deskripsyon an (si ou vle)",
    },
    "Write to the assistant on Telegram: {url}": {
        "es": "Escribe al asistente en Telegram: {url}",
        "ht": "Ekri asistan an sou Telegram: {url}",
    },
    "Write to the assistant on WhatsApp: {url}": {
        "es": "Escribe al asistente en WhatsApp: {url}",
        "ht": "Ekri asistan an sou WhatsApp: {url}",
    },
    "Registry record": {
        "es": "Ficha en el directorio",
        "ht": "Fich nan anyè a",
    },
    "Registry records": {
        "es": "Directorio de servicios",
        "ht": "Anyè sèvis yo",
    },
    "Remove the control characters.": {
        "es": "Quita los caracteres de control.",
        "ht": "Retire karaktè kontwòl yo.",
    },
    "Required.": {
        "es": "Obligatorio.",
        "ht": "Obligatwa.",
    },
    "Saturday": {
        "es": "sábado",
        "ht": "samdi",
    },
    "Save": {
        "es": "Guardar",
        "ht": "Anrejistre",
    },
    "Saved. The assistant uses it from its next referral.": {
        "es": "Guardado. El asistente lo usa desde su próxima recomendación.",
        "ht": "Anrejistre. Asistan an sèvi ak li depi pwochen referans li.",
    },
    "Service": {
        "es": "Servicio",
        "ht": "Sèvis",
    },
    "Services": {
        "es": "Servicios",
        "ht": "Sèvis yo",
    },
    "Services to verify": {
        "es": "Servicios por verificar",
        "ht": "Sèvis pou verifye",
    },
    "Source of this information": {
        "es": "Fuente de esta información",
        "ht": "Sous enfòmasyon sa a",
    },
    "Street and number": {
        "es": "Calle y número",
        "ht": "Lari ak nimewo",
    },
    "Sunday": {
        "es": "domingo",
        "ht": "dimanch",
    },
    "The assistant matches it but never shows its address, name or map.": {
        "es": "El asistente lo encuentra, pero nunca muestra su dirección, nombre ni mapa.",
        "ht": "Asistan an jwenn li, men li pa janm montre adrès li, non li ni kat li.",
    },
    "The closing time must be after the opening time.": {
        "es": "La hora de cierre debe ser después de la de apertura.",
        "ht": "Lè li fèmen an dwe apre lè li louvri a.",
    },
    "The end date is before the start date.": {
        "es": "La fecha final es anterior a la inicial.",
        "ht": "Dat fen an anvan dat kòmansman an.",
    },
    "The maximum age is below the minimum age.": {
        "es": "La edad máxima es menor que la mínima.",
        "ht": "Laj maksimòm nan pi piti pase laj minimòm nan.",
    },
    "Thursday": {
        "es": "jueves",
        "ht": "jedi",
    },
    "Tuesday": {
        "es": "martes",
        "ht": "madi",
    },
    "Two letters, e.g. MX.": {
        "es": "Dos letras, p. ej. MX.",
        "ht": "De lèt, pa egzanp MX.",
    },
    "Type": {
        "es": "Tipo",
        "ht": "Kalite",
    },
    "Unit (e.g. beds)": {
        "es": "Unidad (p. ej. camas)",
        "ht": "Inite (pa egzanp kabann)",
    },
    "Valid from": {
        "es": "Válido desde",
        "ht": "Valab depi",
    },
    "Valid until": {
        "es": "Válido hasta",
        "ht": "Valab jiska",
    },
    "Verified on {date} by {name}": {
        "es": "Verificado el {date} por {name}",
        "ht": "Verifye jou {date} pa {name}",
    },
    "Verified today": {
        "es": "Verificado hoy",
        "ht": "Verifye jodi a",
    },
    "Verified today: {service}": {
        "es": "Verificado hoy: {service}",
        "ht": "Verifye jodi a: {service}",
    },
    "Warning shown with every referral": {
        "es": "Advertencia que acompaña cada recomendación",
        "ht": "Avètisman ki parèt ak chak referans",
    },
    "Web site": {
        "es": "Sitio web",
        "ht": "Sit entènèt",
    },
    "Wednesday": {
        "es": "miércoles",
        "ht": "mèkredi",
    },
    "Where it is offered": {
        "es": "Dónde se ofrece",
        "ht": "Ki kote yo ofri l",
    },
    "Who can use it": {
        "es": "Quién puede usarlo",
        "ht": "Ki moun ki ka sèvi ak li",
    },
    "Write a date as YYYY-MM-DD.": {
        "es": "Escribe la fecha como AAAA-MM-DD.",
        "ht": "Ekri dat la konsa: AAAA-MM-JJ.",
    },
    "Write a number.": {
        "es": "Escribe un número.",
        "ht": "Ekri yon nimewo.",
    },
    "Write a phone number: digits, spaces, +, - and parentheses.": {
        "es": "Escribe un teléfono: dígitos, espacios, +, - y paréntesis.",
        "ht": "Ekri yon nimewo telefòn: chif, espas, +, - ak parantèz.",
    },
    "Write a time as HH:MM (24 hours), e.g. 09:00.": {
        "es": "Escribe la hora como HH:MM (24 horas), p. ej. 09:00.",
        "ht": "Ekri lè a konsa: HH:MM (24 è), pa egzanp 09:00.",
    },
    "Write a web address that starts with https:// or http://.": {
        "es": "Escribe una dirección web que empiece con https:// o http://.",
        "ht": "Ekri yon adrès entènèt ki kòmanse ak https:// oswa http://.",
    },
    "Write a whole number.": {
        "es": "Escribe un número entero.",
        "ht": "Ekri yon nonb antye.",
    },
    "Write an e-mail address like name@example.org.": {
        "es": "Escribe un correo como nombre@ejemplo.org.",
        "ht": "Ekri yon imèl tankou non@egzanp.org.",
    },
    "added a registry record": {
        "es": "agregó un registro al directorio",
        "ht": "ajoute yon dosye nan anyè a",
    },
    "changed whether a service is published": {
        "es": "cambió si un servicio está publicado",
        "ht": "chanje si yon sèvis pibliye",
    },
    "confidential address": {
        "es": "dirección confidencial",
        "ht": "adrès konfidansyèl",
    },
    "defunct (closed for good)": {
        "es": "cerrado definitivamente",
        "ht": "fèmen nèt",
    },
    "draft (never referred)": {
        "es": "borrador (nunca se recomienda)",
        "ht": "bouyon (yo pa janm voye moun la)",
    },
    "edited a registry record": {
        "es": "editó un registro del directorio",
        "ht": "modifye yon dosye nan anyè a",
    },
    "fax": {
        "es": "fax",
        "ht": "faks",
    },
    "inactive": {
        "es": "inactivo",
        "ht": "inaktif",
    },
    "local (one town)": {
        "es": "local (una localidad)",
        "ht": "lokal (yon sèl vil)",
    },
    "marked a service verified today": {
        "es": "marcó un servicio como verificado hoy",
        "ht": "make yon sèvis verifye jodi a",
    },
    "mobile": {
        "es": "celular",
        "ht": "selilè",
    },
    "national (phone, online, federal)": {
        "es": "nacional (teléfono, en línea, federal)",
        "ht": "nasyonal (telefòn, entènèt, federal)",
    },
    "never": {
        "es": "nunca",
        "ht": "janm",
    },
    "pager": {
        "es": "localizador",
        "ht": "pajè",
    },
    "physical": {
        "es": "física",
        "ht": "fizik",
    },
    "physical (a place people go)": {
        "es": "física (un lugar al que se acude)",
        "ht": "fizik (yon kote moun ale)",
    },
    "postal": {
        "es": "postal",
        "ht": "postal",
    },
    "published": {
        "es": "publicado",
        "ht": "pibliye",
    },
    "state": {
        "es": "estatal",
        "ht": "eta",
    },
    "temporarily closed": {
        "es": "cerrado temporalmente",
        "ht": "fèmen tanporèman",
    },
    "text messages": {
        "es": "mensajes de texto",
        "ht": "mesaj tèks",
    },
    "textphone": {
        "es": "teléfono de texto",
        "ht": "telefòn tèks",
    },
    "video": {
        "es": "video",
        "ht": "videyo",
    },
    "virtual": {
        "es": "virtual",
        "ht": "vityèl",
    },
    "virtual (online)": {
        "es": "virtual (en línea)",
        "ht": "vityèl (sou entènèt)",
    },
    "voice": {
        "es": "voz",
        "ht": "vwa",
    },
    "{available} available of {maximum}": {
        "es": "{available} disponibles de {maximum}",
        "ht": "{available} disponib sou {maximum}",
    },
    "{count} services to verify.": {
        "es": "{count} servicios por verificar.",
        "ht": "{count} sèvis pou verifye.",
    },
    "Import and export": {
        "es": "Importar y exportar",
        "ht": "Enpòte ak ekspòte",
    },
    "Export (Open Referral HSDS 3.0)": {
        "es": "Exportar (Open Referral HSDS 3.0)",
        "ht": "Ekspòte (Open Referral HSDS 3.0)",
    },
    "The whole registry, drafts included, as stored. An export imports again without loss.": {
        "es": "Todo el directorio, con los borradores, tal como está guardado. Una exportación se vuelve a importar sin pérdidas.",
        "ht": "Tout anyè a, ak bouyon yo, jan li anrejistre a. Yon ekspòtasyon ka enpòte ankò san pèt.",
    },
    "Download JSON": {
        "es": "Descargar JSON",
        "ht": "Telechaje JSON",
    },
    "Download the CSV package (.zip)": {
        "es": "Descargar el paquete CSV (.zip)",
        "ht": "Telechaje pake CSV a (.zip)",
    },
    "Import": {
        "es": "Importar",
        "ht": "Enpòte",
    },
    "A .json file (HSDS JSON: a list of organizations) or a .zip with the HSDS CSV package, at most {size} MB. The whole file is checked first: with any error nothing is imported. Each organization in the file replaces that organization's records; the others stay as they are.": {
        "es": "Un archivo .json (HSDS JSON: una lista de organizaciones) o un .zip con el paquete CSV de HSDS, de {size} MB como máximo. Primero se revisa todo el archivo: con cualquier error no se importa nada. Cada organización del archivo reemplaza los registros de esa organización; las demás se quedan como están.",
        "ht": "Yon fichye .json (HSDS JSON: yon lis òganizasyon) oswa yon .zip ak pake CSV HSDS la, pa plis pase {size} MB. Yo verifye tout fichye a anvan: si gen nenpòt erè, anyen pa enpòte. Chak òganizasyon nan fichye a ranplase dosye òganizasyon sa a; lòt yo rete jan yo ye.",
    },
    "File": {
        "es": "Archivo",
        "ht": "Fichye",
    },
    "Check only": {
        "es": "Solo revisar",
        "ht": "Verifye sèlman",
    },
    "Check and import": {
        "es": "Revisar e importar",
        "ht": "Verifye epi enpòte",
    },
    "Validation report: {file}": {
        "es": "Informe de validación: {file}",
        "ht": "Rapò validasyon: {file}",
    },
    "Imported. The assistant uses the new records from its next referral.": {
        "es": "Importado. El asistente usa los nuevos registros desde su próxima recomendación.",
        "ht": "Enpòte. Asistan an sèvi ak nouvo dosye yo depi pwochen referans li.",
    },
    "No errors: the file can be imported. Nothing was written.": {
        "es": "Sin errores: el archivo se puede importar. No se escribió nada.",
        "ht": "Pa gen erè: fichye a ka enpòte. Anyen pa te ekri.",
    },
    "The database refused the import; nothing was written.": {
        "es": "La base de datos rechazó la importación; no se escribió nada.",
        "ht": "Baz done a refize enpòtasyon an; anyen pa te ekri.",
    },
    "Errors found: nothing was imported. Correct the file and send it again.": {
        "es": "Se encontraron errores: no se importó nada. Corrige el archivo y envíalo de nuevo.",
        "ht": "Gen erè: anyen pa enpòte. Korije fichye a epi voye l ankò.",
    },
    "Choose a file first.": {
        "es": "Primero elige un archivo.",
        "ht": "Chwazi yon fichye anvan.",
    },
    "Send a .json file (HSDS JSON) or a .zip file (the HSDS CSV package).": {
        "es": "Envía un archivo .json (HSDS JSON) o un .zip (el paquete CSV de HSDS).",
        "ht": "Voye yon fichye .json (HSDS JSON) oswa yon fichye .zip (pake CSV HSDS la).",
    },
    "imported registry records": {
        "es": "importó registros al directorio",
        "ht": "enpòte dosye nan anyè a",
    },
}

_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def po_entries(language: str | None) -> str:
    """``.po`` entries for ``language`` (``None``: the template, with empty translations)."""
    blocks = []
    for msgid, by_language in MESSAGES.items():
        lines = ["#, python-brace-format"] if _PLACEHOLDER.search(msgid) else []
        if language is None:
            text = ""
        elif language == "en":
            text = msgid
        else:
            text = by_language.get(language, "")
        lines += [f"msgid {_quote(msgid)}", f"msgstr {_quote(text)}"]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def main() -> None:
    which = sys.argv[1] if len(sys.argv) > 1 else "pot"
    sys.stdout.write(po_entries(None if which == "pot" else which))


if __name__ == "__main__":
    main()
